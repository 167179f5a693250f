#include "runtime/doctor/netlink/dump_request.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace phantun_runtime::netlink {
namespace {

constexpr size_t kNetlinkHeaderSize = 16;  // struct nlmsghdr

struct AllowedDump {
  int protocol;
  uint16_t type;
  uint8_t family_header_size;  // bytes of the family header that follows nlmsghdr
};

constexpr uint16_t Nft(uint8_t message) { return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | message); }

// The whole allow-list. Adding a type here is a review decision: it must be a GET whose dump has no
// side effect (the *_RESET variants are GETs that zero counters, and are deliberately absent).
constexpr AllowedDump kAllowed[] = {
    {NETLINK_ROUTE, RTM_GETLINK, 16},        // struct ifinfomsg
    {NETLINK_ROUTE, RTM_GETADDR, 8},         // struct ifaddrmsg
    {NETLINK_ROUTE, RTM_GETROUTE, 12},       // struct rtmsg
    {NETLINK_NETFILTER, Nft(NFT_MSG_GETTABLE), 4},  // struct nfgenmsg
    {NETLINK_NETFILTER, Nft(NFT_MSG_GETCHAIN), 4},
    {NETLINK_NETFILTER, Nft(NFT_MSG_GETRULE), 4},
    {NETLINK_NETFILTER, Nft(NFT_MSG_GETSETELEM), 4},  // one set's elements: table and set named
};

// The dumps that may name a table and one object in it (NFTA_RULE_TABLE/NFTA_RULE_CHAIN and
// NFTA_SET_ELEM_LIST_TABLE/NFTA_SET_ELEM_LIST_SET are both attributes 1 and 2).
bool NamesAnObject(int protocol, uint16_t type) {
  return protocol == NETLINK_NETFILTER && (type == Nft(NFT_MSG_GETRULE) || type == Nft(NFT_MSG_GETSETELEM));
}

const AllowedDump* FindAllowed(int protocol, uint16_t type) {
  for (const AllowedDump& allowed : kAllowed) {
    if (allowed.protocol == protocol && allowed.type == type) return &allowed;
  }
  return nullptr;
}

// A chain's rules are asked for by name: NFTA_RULE_TABLE and NFTA_RULE_CHAIN, NUL-terminated
// strings of at most NFT_NAME_MAXLEN bytes with the NUL, in that order.
constexpr size_t kFilterHeaderSize = 4;  // struct nlattr
constexpr size_t kMaxName = NFT_NAME_MAXLEN - 1;

constexpr size_t Align4(size_t length) { return (length + 3) & ~size_t{3}; }

bool IsName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxName && name.find('\0') == std::string_view::npos;
}

// Empty when the request is allowed, otherwise why not (one phrase).
std::string_view DumpRequestProblem(const DumpRequest& request) {
  if (FindAllowed(request.protocol, request.type) == nullptr) {
    return "the message type is not an allow-listed GET for this netlink protocol";
  }
  if (request.flags != kDumpFlags) return "the flags are not exactly NLM_F_REQUEST | NLM_F_DUMP";
  if (request.table.empty() && request.chain.empty()) return {};
  if (!NamesAnObject(request.protocol, request.type)) {
    return "only an nf_tables rule or set-element dump names a table and chain or set";
  }
  if (!IsName(request.table) || !IsName(request.chain)) return "the table or chain name is empty, too long or has a NUL";
  return {};
}

void AppendName(uint16_t type, std::string_view name, std::vector<uint8_t>* bytes) {
  const uint16_t length = static_cast<uint16_t>(kFilterHeaderSize + name.size() + 1);
  const size_t start = bytes->size();
  bytes->resize(start + Align4(length), 0);
  memcpy(bytes->data() + start, &length, sizeof length);
  memcpy(bytes->data() + start + 2, &type, sizeof type);
  memcpy(bytes->data() + start + kFilterHeaderSize, name.data(), name.size());
}

// What may follow the nfgenmsg of a GETRULE dump: nothing, or exactly the table's name then the
// chain's, as AppendName writes them.
bool IsRuleFilter(Bytes attributes) {
  if (attributes.empty()) return true;
  for (uint16_t expected : {uint16_t{NFTA_RULE_TABLE}, uint16_t{NFTA_RULE_CHAIN}}) {
    if (attributes.size() < kFilterHeaderSize) return false;
    uint16_t length;
    uint16_t type;
    memcpy(&length, attributes.data(), sizeof length);
    memcpy(&type, attributes.data() + 2, sizeof type);
    if (type != expected || length < kFilterHeaderSize + 2 || Align4(length) > attributes.size()) return false;
    const std::string_view text(reinterpret_cast<const char*>(attributes.data()) + kFilterHeaderSize,
                                length - kFilterHeaderSize);
    if (text.back() != '\0' || !IsName(text.substr(0, text.size() - 1))) return false;
    for (size_t i = length; i < Align4(length); ++i) {
      if (attributes[i] != 0) return false;
    }
    attributes = attributes.subspan(Align4(length));
  }
  return attributes.empty();
}

}  // namespace

uint16_t NftablesType(uint8_t nft_message) { return Nft(nft_message); }

StatusOr<std::vector<uint8_t>> BuildDumpRequest(const DumpRequest& request) {
  const std::string_view problem = DumpRequestProblem(request);
  if (!problem.empty()) {
    return Status(Status::Code::kInvalidArgument, absl::StrCat("netlink: refusing to build the request: ", problem));
  }
  const AllowedDump& allowed = *FindAllowed(request.protocol, request.type);
  const uint32_t length = kNetlinkHeaderSize + allowed.family_header_size;
  struct nlmsghdr header = {};
  header.nlmsg_len = length;
  header.nlmsg_type = request.type;
  header.nlmsg_flags = request.flags;
  header.nlmsg_seq = request.sequence;
  header.nlmsg_pid = 0;  // the kernel fills in our port
  std::vector<uint8_t> bytes(length, 0);
  memcpy(bytes.data(), &header, sizeof(header));
  // ifinfomsg, ifaddrmsg, rtmsg and nfgenmsg all start with the one-byte family; for nfgenmsg the
  // zero that follows is NFNETLINK_V0 and res_id 0.
  bytes[kNetlinkHeaderSize] = request.family;
  if (!request.table.empty()) {
    AppendName(NFTA_RULE_TABLE, request.table, &bytes);
    AppendName(NFTA_RULE_CHAIN, request.chain, &bytes);
    header.nlmsg_len = static_cast<uint32_t>(bytes.size());
    memcpy(bytes.data(), &header, sizeof(header));
  }
  return bytes;
}

bool IsAllowedDumpMessage(int protocol, Bytes bytes) {
  if (bytes.size() < kNetlinkHeaderSize) return false;
  struct nlmsghdr header;
  memcpy(&header, bytes.data(), sizeof(header));
  if (header.nlmsg_len != bytes.size()) return false;  // exactly one message
  const AllowedDump* allowed = FindAllowed(protocol, header.nlmsg_type);
  if (allowed == nullptr || header.nlmsg_flags != kDumpFlags) return false;
  const size_t headers = kNetlinkHeaderSize + allowed->family_header_size;
  if (bytes.size() == headers) return true;
  return bytes.size() > headers && NamesAnObject(protocol, allowed->type) && IsRuleFilter(bytes.subspan(headers));
}

namespace {

constexpr size_t kRouteHeaderSize = 12;  // struct rtmsg
constexpr size_t kAttributeHeaderSize = 4;  // struct rtattr

void AppendAttribute(uint16_t type, const void* data, size_t size, std::vector<uint8_t>* bytes) {
  const uint16_t length = static_cast<uint16_t>(kAttributeHeaderSize + size);
  const size_t start = bytes->size();
  bytes->resize(start + RTA_ALIGN(length), 0);
  memcpy(bytes->data() + start, &length, sizeof length);
  memcpy(bytes->data() + start + 2, &type, sizeof type);
  memcpy(bytes->data() + start + kAttributeHeaderSize, data, size);
}

}  // namespace

StatusOr<std::vector<uint8_t>> BuildRouteQuery(const RouteQuery& query) {
  const size_t size = query.family == AF_INET ? 4 : query.family == AF_INET6 ? 16 : 0;
  if (size == 0 || query.daddr.size() != size || (!query.saddr.empty() && query.saddr.size() != size)) {
    return Status(Status::Code::kInvalidArgument, "netlink: a route lookup needs an IPv4 or IPv6 destination");
  }
  std::vector<uint8_t> bytes(kNetlinkHeaderSize + kRouteHeaderSize, 0);
  struct rtmsg route = {};
  route.rtm_family = query.family;
  route.rtm_dst_len = static_cast<unsigned char>(size * 8);
  if (!query.saddr.empty()) route.rtm_src_len = static_cast<unsigned char>(size * 8);
  memcpy(bytes.data() + kNetlinkHeaderSize, &route, sizeof route);
  AppendAttribute(RTA_DST, query.daddr.data(), size, &bytes);
  if (!query.saddr.empty()) AppendAttribute(RTA_SRC, query.saddr.data(), size, &bytes);
  if (query.iif != 0) AppendAttribute(RTA_IIF, &query.iif, sizeof query.iif, &bytes);
  struct nlmsghdr header = {};
  header.nlmsg_len = static_cast<uint32_t>(bytes.size());
  header.nlmsg_type = RTM_GETROUTE;
  header.nlmsg_flags = NLM_F_REQUEST;
  header.nlmsg_seq = query.sequence;
  memcpy(bytes.data(), &header, sizeof header);
  return bytes;
}

bool IsAllowedRouteQuery(int protocol, Bytes bytes) {
  if (protocol != NETLINK_ROUTE || bytes.size() < kNetlinkHeaderSize + kRouteHeaderSize) return false;
  struct nlmsghdr header;
  memcpy(&header, bytes.data(), sizeof(header));
  if (header.nlmsg_len != bytes.size() || header.nlmsg_type != RTM_GETROUTE || header.nlmsg_flags != NLM_F_REQUEST) {
    return false;
  }
  size_t offset = kNetlinkHeaderSize + kRouteHeaderSize;
  while (offset < bytes.size()) {
    if (bytes.size() - offset < kAttributeHeaderSize) return false;
    uint16_t length;
    uint16_t type;
    memcpy(&length, bytes.data() + offset, sizeof length);
    memcpy(&type, bytes.data() + offset + 2, sizeof type);
    if (length < kAttributeHeaderSize || length > bytes.size() - offset) return false;
    if (type != RTA_DST && type != RTA_SRC && type != RTA_IIF) return false;
    offset += RTA_ALIGN(length);
  }
  return true;
}

}  // namespace phantun_runtime::netlink
