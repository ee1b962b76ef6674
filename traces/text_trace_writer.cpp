#include "traces/text_trace_writer.h"

#include <utility>

namespace silica::trace {
namespace {

constexpr size_t kTextBufferBytes = 1 << 20;

}  // namespace

TextTraceWriter::TextTraceWriter(const std::string& path)
    : m_out(path, BlockWriter::Encoding::kRaw, kTextBufferBytes) {
  m_buffer = m_out.first_buffer();
  m_pos = reinterpret_cast<char*>(m_buffer.data.get());
  m_limit = m_pos + m_buffer.capacity;
}

TextTraceWriter::~TextTraceWriter() {
  if (!m_finished) {
    try {
      finish();
    } catch (const std::exception&) {
      // Reported by finish() when the owner calls it.
    }
  }
}

void TextTraceWriter::next_buffer() {
  if (m_finished) {
    m_pos = m_discard;
    m_limit = m_discard + sizeof m_discard;
    return;
  }
  char* base = reinterpret_cast<char*>(m_buffer.data.get());
  m_buffer.size = size_t(m_pos - base);
  m_buffer = m_out.swap(std::move(m_buffer));
  m_pos = reinterpret_cast<char*>(m_buffer.data.get());
  m_limit = m_pos + m_buffer.capacity;
}

void TextTraceWriter::finish() {
  if (m_finished) return;
  m_finished = true;
  m_buffer.size = size_t(m_pos - reinterpret_cast<char*>(m_buffer.data.get()));
  m_pos = m_limit = nullptr;  // the next record lands in m_discard
  m_out.close(std::move(m_buffer));
}

}  // namespace silica::trace
