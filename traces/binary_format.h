// Constants and the shared model state of the binary trace format (FORMAT.md
// is the specification). The writer and the reader both include this, so the
// two sides of every delta and cache are defined once.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace silica::trace::format {

inline constexpr char kMagic[8] = {'S', 'I', 'L', 'T', 'R', 'A', 'C', 'E'};
// The replay log (REPLAY.md) shares the file layout, with its own magic.
inline constexpr char kReplayMagic[8] = {'S', 'I', 'L', 'R', 'E', 'P', 'L', 'Y'};
inline constexpr uint16_t kVersionMajor = 1;
inline constexpr uint16_t kVersionMinor = 0;
inline constexpr uint8_t kCompressionZstd = 1;

// Fixed part of the file header: magic, major, minor, length of the fields.
inline constexpr size_t kPreambleBytes = 16;
// Each block: u32 raw size, u32 stored size, then a zstd frame.
inline constexpr size_t kBlockHeaderBytes = 8;
// Writers make blocks of at most this many raw bytes; readers refuse more
// than kMaxRawBlock so a corrupt size cannot make them allocate gigabytes.
inline constexpr size_t kWriterBlockBytes = 256 * 1024;
inline constexpr size_t kMaxRawBlock = 16 * 1024 * 1024;
// No record is longer than this (a retired record with both writes and both
// memory accesses, every varint at its longest, is ~110 bytes).
inline constexpr size_t kMaxRecordBytes = 160;

// Record tags. 0x00-0x7f are retired instructions (the bits say which
// optional fields follow); 0xc0-0xff are extension records with a length.
namespace tag {
inline constexpr uint8_t kRetiredPcJump = 0x01;     // zigzag(pc - expected pc) follows
inline constexpr uint8_t kRetiredNewInsn = 0x02;    // len, class, varint raw follow
inline constexpr unsigned kRetiredWritesShift = 2;  // 2 bits: register writes
inline constexpr unsigned kRetiredMemShift = 4;     // 2 bits: memory accesses
inline constexpr uint8_t kRetiredExtended = 0x40;   // an extension byte follows the tag
inline constexpr uint8_t kTrap = 0x80;
inline constexpr uint8_t kBus = 0x81;
inline constexpr uint8_t kHart = 0x82;
inline constexpr uint8_t kEnd = 0x83;
inline constexpr uint8_t kFirstExtension = 0xc0;
}  // namespace tag

// Bits of the extension byte of a retired record.
namespace ext {
inline constexpr uint8_t kInstretJump = 0x01;  // zigzag(instret - expected) follows
inline constexpr uint8_t kMode = 0x02;         // u8 priv, u8 xlen follow
}  // namespace ext

// A register-write byte: file << 5 | index, or kRegEscape then file, index.
inline constexpr uint8_t kRegEscape = 0xe0;
// A memory-access flags byte: bit 0 write, bit 1 value elided, bits 2-7 size.
inline constexpr uint8_t kMemWrite = 0x01;
inline constexpr uint8_t kMemValueFromWrite = 0x02;
inline constexpr unsigned kMemSizeShift = 2;
inline constexpr unsigned kMaxMemSize = 63;

inline constexpr unsigned kInsnCacheEntries = 4096;
inline constexpr unsigned kShadowFiles = 2;  // x and f registers are delta-coded
inline constexpr unsigned kShadowRegs = 32;

inline uint64_t zigzag(uint64_t delta) {
  return (delta << 1) ^ (0 - (delta >> 63));
}
inline uint64_t unzigzag(uint64_t v) {
  return (v >> 1) ^ (0 - (v & 1));
}

// LEB128, at most 10 bytes. The caller guarantees the room.
inline uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v) | 0x80;
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

// Header fields: a varint, and a string as its varint length and bytes.
inline void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t bytes[10];
  out.insert(out.end(), bytes, put_varint(bytes, v));
}
inline void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put_varint(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

// The file header: magic, u16 major, u16 minor, u32 length of the fields,
// the fields.
inline std::vector<uint8_t> file_header(const char (&magic)[8], uint16_t major, uint16_t minor,
                                        const std::vector<uint8_t>& fields) {
  std::vector<uint8_t> out(magic, magic + sizeof magic);
  for (uint16_t v : {major, minor}) {
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
  }
  const uint32_t size = uint32_t(fields.size());
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(size >> (8 * i)));
  out.insert(out.end(), fields.begin(), fields.end());
  return out;
}

// Bits of `value` a memory access of `size` bytes can hold.
inline uint64_t truncate_to_size(uint64_t value, unsigned size) {
  return size >= 8 ? value : value & ((uint64_t(1) << (size * 8)) - 1);
}

// What both sides remember per hart inside a block.
struct HartState {
  uint64_t next_pc = 0;
  uint64_t next_instret = 0;
  uint64_t last_mem_addr = 0;
  uint8_t priv = 3;
  uint8_t xlen = 64;
  uint64_t regs[kShadowFiles][kShadowRegs] = {};
};

// pc -> encoding, so a loop body's instructions cost no encoding bytes.
struct InsnCacheEntry {
  uint64_t pc = ~uint64_t(0);
  uint64_t key = 0;  // raw | len << 32 | class << 40
};
inline uint64_t insn_key(uint32_t raw, uint8_t len, uint8_t insn_class) {
  return uint64_t(raw) | uint64_t(len) << 32 | uint64_t(insn_class) << 40;
}
inline unsigned insn_cache_index(uint64_t pc) {
  return unsigned(pc >> 1) & (kInsnCacheEntries - 1);
}

// Everything a block starts from; reset at every block boundary so blocks
// decode independently.
struct ModelState {
  std::array<InsnCacheEntry, kInsnCacheEntries> cache;
  std::unordered_map<uint16_t, HartState> harts;  // node-based: pointers stay valid
  HartState* hart = nullptr;
  uint16_t hart_id = 0;
  uint64_t last_bus_time = 0;
  uint8_t initial_xlen = 64;

  void reset(uint8_t xlen) {
    cache.fill(InsnCacheEntry{});
    harts.clear();
    initial_xlen = xlen;
    last_bus_time = 0;
    select(0);
  }
  void select(uint16_t id) {
    auto [it, inserted] = harts.try_emplace(id);
    if (inserted) it->second.xlen = initial_xlen;
    hart = &it->second;
    hart_id = id;
  }
};

}  // namespace silica::trace::format
