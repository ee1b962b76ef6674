#include "traces/block_file_reader.h"

#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "traces/binary_format.h"

namespace silica::trace {

using namespace format;

namespace {

constexpr size_t kMaxHeaderFields = 1 << 20;

uint32_t get_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

BlockFileReader::BlockFileReader(const std::string& path, const char (&magic)[8],
                                 const std::string& what, uint16_t version_major)
    : m_path(path) {
  m_file = std::fopen(path.c_str(), "rb");
  if (m_file == nullptr) {
    throw TraceError(path + ": cannot open trace: " + std::strerror(errno));
  }
  auto fail = [&](const std::string& message) {
    std::fclose(m_file);
    m_file = nullptr;
    throw TraceError(path + ": " + message);
  };
  uint8_t pre[kPreambleBytes];
  size_t got = std::fread(pre, 1, sizeof pre, m_file);
  if (got >= sizeof magic && std::memcmp(magic, kReplayMagic, sizeof magic) != 0 &&
      std::memcmp(pre, kReplayMagic, sizeof kReplayMagic) == 0) {
    fail("a replay log, not a " + what + ": 'silica replay " + path +
         " --trace OUT --trace-format bin' writes its " + what);
  }
  if (got < sizeof magic || std::memcmp(pre, magic, sizeof magic) != 0) {
    fail("not a " + what + " (no " + std::string(magic, sizeof magic) + " magic)");
  }
  if (got < sizeof pre) fail("truncated in the file header");
  m_major = unsigned(pre[8]) | unsigned(pre[9]) << 8;
  m_minor = unsigned(pre[10]) | unsigned(pre[11]) << 8;
  if (m_major != version_major) {
    fail("unsupported trace format version " + std::to_string(m_major) + "." +
         std::to_string(m_minor) + " (this reader reads " + std::to_string(version_major) + ".x)");
  }
  uint32_t fields_size = get_u32(pre + 12);
  if (fields_size > kMaxHeaderFields) fail("corrupt file header");
  m_fields.resize(fields_size);
  if (std::fread(m_fields.data(), 1, m_fields.size(), m_file) != m_fields.size()) {
    fail("truncated in the file header");
  }
  m_file_offset = kPreambleBytes + fields_size;
  m_dctx = ZSTD_createDCtx();
}

BlockFileReader::~BlockFileReader() {
  if (m_file != nullptr) std::fclose(m_file);
  ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(m_dctx));
}

void BlockFileReader::corrupt(const std::string& what) const {
  throw TraceError(m_path + ": corrupt block at byte " + std::to_string(m_block_offset) + ": " +
                   what);
}

bool BlockFileReader::next_block(std::vector<uint8_t>& block) {
  uint8_t head[kBlockHeaderBytes];
  size_t got = std::fread(head, 1, sizeof head, m_file);
  m_block_offset = m_file_offset;
  if (got == 0) return false;
  if (got < sizeof head) {
    throw TraceError(m_path + ": truncated: block header at byte " + std::to_string(m_file_offset) +
                     " is cut short");
  }
  uint32_t raw_size = get_u32(head);
  uint32_t stored_size = get_u32(head + 4);
  if (raw_size == 0 || raw_size > kMaxRawBlock || stored_size > ZSTD_compressBound(raw_size)) {
    corrupt("impossible block sizes");
  }
  m_compressed.resize(stored_size);
  if (std::fread(m_compressed.data(), 1, stored_size, m_file) != stored_size) {
    throw TraceError(m_path + ": truncated: block at byte " + std::to_string(m_file_offset) +
                     " is cut short");
  }
  m_file_offset += sizeof head + stored_size;
  block.resize(raw_size);
  size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(m_dctx), block.data(), raw_size,
                                 m_compressed.data(), stored_size);
  if (ZSTD_isError(n)) corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != raw_size) corrupt("block holds fewer bytes than its header says");
  return true;
}

void BlockFileReader::expect_end_of_file() const {
  if (std::fgetc(m_file) != EOF) {
    throw TraceError(m_path + ": corrupt: data after the end of the trace at byte " +
                     std::to_string(m_file_offset));
  }
}

}  // namespace silica::trace
