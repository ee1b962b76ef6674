#include "cores/dbt/code_buffer.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace silica::dbt {

CodeBuffer::CodeBuffer(size_t capacity) : m_capacity(capacity) {
  void* p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) {
    throw std::runtime_error(std::string("cannot map executable memory for the DBT: ") +
                             std::strerror(errno));
  }
  m_base = static_cast<uint8_t*>(p);
}

CodeBuffer::~CodeBuffer() {
  munmap(m_base, m_capacity);
}

}  // namespace silica::dbt
