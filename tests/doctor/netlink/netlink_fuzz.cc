// libFuzzer target: the netlink message and attribute parsers, on arbitrary receive buffers.
// Every message is walked, every attribute list indexed and read with every typed reader, and
// nested lists are followed (bounded), as the doctor's readers do with kernel replies.
#include <stddef.h>
#include <stdint.h>

#include "runtime/doctor/netlink/attribute.h"
#include "runtime/doctor/netlink/dump_reply.h"
#include "runtime/doctor/netlink/message.h"

namespace {

using namespace phantun_runtime::netlink;

// Keeps the reads from being optimised away.
volatile uint64_t sink;

void WalkAttributes(Bytes attributes, int depth) {
  AttributeReader reader(attributes);
  Attribute attribute;
  while (reader.Next(&attribute)) {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    if (ReadU8(attribute, &u8)) sink = sink + u8;
    if (ReadU16(attribute, &u16) || ReadBe16(attribute, &u16)) sink = sink + u16;
    if (ReadU32(attribute, &u32) || ReadBe32(attribute, &u32)) sink = sink + u32;
    if (ReadU64(attribute, &u64) || ReadBe64(attribute, &u64)) sink = sink + u64;
    sink = sink + ReadString(attribute).size();
    // The kernel does not always flag nested lists (nf_tables never does): try every payload.
    if (depth < 6) WalkAttributes(attribute.payload, depth + 1);
  }
  if (depth > 1) return;  // indexing every guessed list would make the fuzzer crawl
  const AttributeIndex index(attributes, 32);
  for (uint16_t type = 0; type <= 33; ++type) {
    sink = sink + index.Payload(type).size() + index.Be32(type).value_or(0) + index.String(type).value_or("").size();
  }
  Attribute found;
  if (FindAttribute(attributes, 1, &found)) sink = sink + found.payload.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes buffer(data, size);
  MessageReader reader(buffer);
  Message message;
  while (reader.Next(&message)) {
    // rtnetlink and nfnetlink family headers are 4 to 16 bytes.
    for (size_t header : {size_t{4}, size_t{8}, size_t{12}, size_t{16}}) {
      WalkAttributes(AttributesAfterHeader(message.payload, header), 0);
    }
  }
  DumpReplyReader dump(size >= 12 ? LoadHost<uint32_t>(buffer, 8) : 0);
  dump.Consume(buffer, [](const Message& one) { sink = sink + one.payload.size(); });
  sink = sink + dump.status().message().size();
  return 0;
}
