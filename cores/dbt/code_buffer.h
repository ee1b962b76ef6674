// Executable memory for translated code: one fixed-size mapping, filled from
// the front. When it is full the translator flushes every block and starts
// again (the cap on code-cache memory); the first `reserved` bytes (the entry
// and exit trampolines) survive flushes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace silica::dbt {

class CodeBuffer {
 public:
  explicit CodeBuffer(size_t capacity);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  uint8_t* cursor() { return m_base + m_used; }
  size_t remaining() const { return m_capacity - m_used; }
  void commit(size_t bytes) { m_used += bytes; }
  // Everything after the trampolines becomes free again.
  void flush() { m_used = m_reserved; }
  void reserve_prefix() { m_reserved = m_used; }
  size_t used() const { return m_used; }
  size_t capacity() const { return m_capacity; }

 private:
  uint8_t* m_base = nullptr;
  size_t m_capacity = 0;
  size_t m_used = 0;
  size_t m_reserved = 0;
};

}  // namespace silica::dbt
