#include "runtime/doctor/netlink/dump_request.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
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
};

const AllowedDump* FindAllowed(int protocol, uint16_t type) {
  for (const AllowedDump& allowed : kAllowed) {
    if (allowed.protocol == protocol && allowed.type == type) return &allowed;
  }
  return nullptr;
}

// Empty when the request is allowed, otherwise why not (one phrase).
std::string_view DumpRequestProblem(const DumpRequest& request) {
  if (FindAllowed(request.protocol, request.type) == nullptr) {
    return "the message type is not an allow-listed GET for this netlink protocol";
  }
  if (request.flags != kDumpFlags) return "the flags are not exactly NLM_F_REQUEST | NLM_F_DUMP";
  return {};
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
  return bytes;
}

bool IsAllowedDumpMessage(int protocol, Bytes bytes) {
  if (bytes.size() < kNetlinkHeaderSize) return false;
  struct nlmsghdr header;
  memcpy(&header, bytes.data(), sizeof(header));
  if (header.nlmsg_len != bytes.size()) return false;  // exactly one message
  const AllowedDump* allowed = FindAllowed(protocol, header.nlmsg_type);
  return allowed != nullptr && header.nlmsg_flags == kDumpFlags &&
         bytes.size() == kNetlinkHeaderSize + allowed->family_header_size;
}

}  // namespace phantun_runtime::netlink
