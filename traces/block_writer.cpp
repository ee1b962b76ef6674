#include "traces/block_writer.h"

#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace silica::trace {
namespace {

constexpr size_t kFramePrefix = 8;  // u32 raw size, u32 frame size

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}

}  // namespace

BlockWriter::BlockWriter(std::string path, Encoding encoding, size_t buffer_bytes, unsigned buffers,
                         int zstd_level)
    : m_path(std::move(path)), m_encoding(encoding), m_zstd_level(zstd_level) {
  m_file = std::fopen(m_path.c_str(), "wb");
  if (m_file == nullptr) {
    throw std::runtime_error(m_path + ": cannot create trace file: " + std::strerror(errno));
  }
  if (buffers < 2) buffers = 2;
  for (unsigned i = 0; i < buffers; ++i) {
    m_pool.push_back(BlockBuffer{std::make_unique<uint8_t[]>(buffer_bytes), buffer_bytes, 0});
  }
  if (m_encoding == Encoding::kZstdFrames) {
    m_cctx = ZSTD_createCCtx();
    if (m_cctx == nullptr) {
      std::fclose(m_file);
      throw std::runtime_error(m_path + ": zstd: out of memory");
    }
    // One frame per block, with its content size and a checksum, so readers
    // can size the output exactly and notice corruption.
    ZSTD_CCtx_setParameter(m_cctx, ZSTD_c_compressionLevel, m_zstd_level);
    ZSTD_CCtx_setParameter(m_cctx, ZSTD_c_checksumFlag, 1);
    m_frame.resize(ZSTD_compressBound(buffer_bytes) + kFramePrefix);
  }
  m_thread = std::thread([this] { run(); });
}

BlockWriter::~BlockWriter() {
  if (!m_closed) {
    try {
      close(BlockBuffer{});
    } catch (const std::exception&) {
      // A destructor cannot report; finish() is where errors surface.
    }
  }
}

void BlockWriter::write_now(const void* data, size_t size) {
  std::lock_guard lock(m_mutex);
  if (std::fwrite(data, 1, size, m_file) != size) {
    throw std::runtime_error(m_path + ": cannot write trace file: " + std::strerror(errno));
  }
}

BlockBuffer BlockWriter::first_buffer() {
  std::lock_guard lock(m_mutex);
  BlockBuffer b = std::move(m_pool.back());
  m_pool.pop_back();
  return b;
}

BlockBuffer BlockWriter::swap(BlockBuffer full) {
  std::unique_lock lock(m_mutex);
  if (full.size > 0) {
    m_queue.push_back(std::move(full));
    m_work.notify_one();
  } else {
    m_pool.push_back(std::move(full));
  }
  m_free.wait(lock, [this] { return !m_pool.empty(); });
  BlockBuffer b = std::move(m_pool.back());
  m_pool.pop_back();
  b.size = 0;
  return b;
}

void BlockWriter::close(BlockBuffer last) {
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return;
    if (last.data && last.size > 0) m_queue.push_back(std::move(last));
    m_closing = true;
    m_work.notify_one();
  }
  m_thread.join();
  m_closed = true;
  if (std::fclose(m_file) != 0 && m_error.empty()) {
    m_error = std::string("cannot write trace file: ") + std::strerror(errno);
  }
  m_file = nullptr;
  ZSTD_freeCCtx(m_cctx);
  m_cctx = nullptr;
  if (!m_error.empty()) throw std::runtime_error(m_path + ": " + m_error);
}

void BlockWriter::run() {
  for (;;) {
    BlockBuffer block;
    {
      std::unique_lock lock(m_mutex);
      m_work.wait(lock, [this] { return !m_queue.empty() || m_closing; });
      if (m_queue.empty()) return;  // closing and drained
      block = std::move(m_queue.front());
      m_queue.pop_front();
    }
    if (m_error.empty()) write_block(block);
    block.size = 0;
    std::lock_guard lock(m_mutex);
    m_pool.push_back(std::move(block));
    m_free.notify_one();
  }
}

void BlockWriter::write_block(const BlockBuffer& block) {
  if (m_encoding == Encoding::kRaw) {
    if (std::fwrite(block.data.get(), 1, block.size, m_file) != block.size) {
      fail(std::string("cannot write trace file: ") + std::strerror(errno));
    }
    return;
  }
  ZSTD_CCtx_reset(m_cctx, ZSTD_reset_session_only);
  ZSTD_CCtx_setPledgedSrcSize(m_cctx, block.size);
  ZSTD_inBuffer in{block.data.get(), block.size, 0};
  ZSTD_outBuffer out{m_frame.data() + kFramePrefix, m_frame.size() - kFramePrefix, 0};
  size_t left = 0;
  do {
    left = ZSTD_compressStream2(m_cctx, &out, &in, ZSTD_e_end);
    if (ZSTD_isError(left)) return fail(std::string("zstd: ") + ZSTD_getErrorName(left));
  } while (left != 0);
  put_u32(m_frame.data(), uint32_t(block.size));
  put_u32(m_frame.data() + 4, uint32_t(out.pos));
  size_t total = out.pos + kFramePrefix;
  if (std::fwrite(m_frame.data(), 1, total, m_file) != total) {
    fail(std::string("cannot write trace file: ") + std::strerror(errno));
  }
}

void BlockWriter::fail(const std::string& what) {
  std::lock_guard lock(m_mutex);
  if (m_error.empty()) m_error = what;
}

}  // namespace silica::trace
