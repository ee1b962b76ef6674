// Reads the container both of silica's binary files share (FORMAT.md, "File
// layout"): an 8-byte magic, a u16 major and minor version, the length of the
// header fields and the fields, then blocks of `u32 raw size, u32 stored
// size, zstd frame`. The execution trace and the replay log (REPLAY.md) differ
// only in their magic, fields and what their blocks hold.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace silica::trace {

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BlockFileReader {
 public:
  // Opens the file and reads its preamble and header fields. Throws
  // TraceError naming the file ("not a <what> (no <magic> magic)",
  // "truncated", "unsupported ... version").
  BlockFileReader(const std::string& path, const char (&magic)[8], const std::string& what,
                  uint16_t version_major);
  ~BlockFileReader();
  BlockFileReader(const BlockFileReader&) = delete;
  BlockFileReader& operator=(const BlockFileReader&) = delete;

  const std::string& path() const { return m_path; }
  unsigned version_major() const { return m_major; }
  unsigned version_minor() const { return m_minor; }
  const std::vector<uint8_t>& fields() const { return m_fields; }

  // Decompresses the next block into `block`; false at the end of the file.
  bool next_block(std::vector<uint8_t>& block);
  // File offset of the block next_block() returned last, for messages.
  uint64_t block_offset() const { return m_block_offset; }
  // Throws unless the file ends here (nothing after the end record).
  void expect_end_of_file() const;
  [[noreturn]] void corrupt(const std::string& what) const;

 private:
  std::string m_path;
  std::FILE* m_file = nullptr;
  unsigned m_major = 0;
  unsigned m_minor = 0;
  std::vector<uint8_t> m_fields;
  uint64_t m_file_offset = 0;   // where the next block header starts
  uint64_t m_block_offset = 0;  // file offset of the current block
  std::vector<uint8_t> m_compressed;
  void* m_dctx = nullptr;  // ZSTD_DCtx
};

// Bounds-checked reading of header fields and block contents: a read past
// the end clears `ok` and returns zero.
struct FieldCursor {
  const uint8_t* pos;
  const uint8_t* end;
  bool ok = true;
  uint8_t u8() {
    if (pos >= end) return ok = false, 0;
    return *pos++;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      uint8_t b = u8();
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return ok = false, 0;
  }
  std::string string() {
    uint64_t n = varint();
    if (!ok || n > uint64_t(end - pos)) return ok = false, std::string();
    std::string s(reinterpret_cast<const char*>(pos), size_t(n));
    pos += n;
    return s;
  }
  // `n` bytes in place, or nullptr (and !ok) if fewer are left.
  const uint8_t* bytes(uint64_t n) {
    if (!ok || n > uint64_t(end - pos)) return ok = false, nullptr;
    const uint8_t* p = pos;
    pos += n;
    return p;
  }
};

}  // namespace silica::trace
