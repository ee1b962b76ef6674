// Writes a trace file from a background thread. The producer (the core's
// thread) fills a buffer and swaps it for an empty one; a writer thread
// compresses full buffers into zstd frames (or takes them as they are, for
// text) and writes them out. A fixed pool of buffers bounds the memory: the
// producer only waits when every other buffer is still queued.
//
// Write errors happen on the writer thread; from then on buffers are dropped
// and close() throws. The producer's swap() never throws, so a full disk does
// not unwind through the core.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct ZSTD_CCtx_s;

namespace silica::trace {

struct BlockBuffer {
  std::unique_ptr<uint8_t[]> data;
  size_t capacity = 0;
  size_t size = 0;
};

class BlockWriter {
 public:
  enum class Encoding {
    kRaw,         // bytes as given (text traces)
    kZstdFrames,  // per buffer: u32 raw size, u32 frame size, one zstd frame
  };

  // Creates (truncates) the file; throws std::runtime_error naming it on
  // failure. `buffers` >= 2 buffers of `buffer_bytes` each are allocated.
  BlockWriter(std::string path, Encoding encoding, size_t buffer_bytes, unsigned buffers = 4,
              int zstd_level = 3);
  ~BlockWriter();  // closes quietly if close() was not called
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Writes bytes right away, uncompressed (the file header, before any
  // block). Throws std::runtime_error naming the file.
  void write_now(const void* data, size_t size);
  // An empty buffer to fill first.
  BlockBuffer first_buffer();
  // Queues `full` (its `size` bytes) for writing and returns an empty buffer.
  BlockBuffer swap(BlockBuffer full);
  // Queues `last`, waits until everything is written and closes the file.
  // Throws std::runtime_error "<path>: ..." if any write failed.
  void close(BlockBuffer last);

  const std::string& path() const { return m_path; }

 private:
  void run();
  void write_block(const BlockBuffer& block);
  void fail(const std::string& what);

  std::string m_path;
  Encoding m_encoding;
  int m_zstd_level;
  std::FILE* m_file = nullptr;
  ZSTD_CCtx_s* m_cctx = nullptr;  // writer thread only, like m_frame
  std::vector<uint8_t> m_frame;   // compressed output

  std::mutex m_mutex;
  std::condition_variable m_work;  // the writer thread waits for queued buffers
  std::condition_variable m_free;  // the producer waits for an empty buffer
  std::deque<BlockBuffer> m_queue;
  std::vector<BlockBuffer> m_pool;
  bool m_closing = false;
  bool m_closed = false;
  std::string m_error;  // first write error, set by the writer thread
  std::thread m_thread;
};

}  // namespace silica::trace
