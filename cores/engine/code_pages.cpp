#include "cores/engine/code_pages.h"

#include <bit>
#include <stdexcept>

namespace silica {

void CodePages::attach(Owner* owner) {
  for (Owner*& slot : m_owners) {
    if (slot == nullptr) {
      slot = owner;
      return;
    }
  }
  throw std::length_error("more than 64 code caches share one machine's RAM");
}

void CodePages::detach(Owner* owner) {
  release_all(owner);
  m_owners[slot_of(owner)] = nullptr;
}

unsigned CodePages::slot_of(const Owner* owner) const {
  for (unsigned i = 0; i < kMaxOwners; ++i) {
    if (m_owners[i] == owner) return i;
  }
  throw std::logic_error("CodePages: owner not attached");
}

void CodePages::claim(Owner* owner, uintptr_t host_page) {
  const uint64_t bit = uint64_t(1) << slot_of(owner);
  auto [it, inserted] = m_pages.try_emplace(host_page, 0);
  it->second |= bit;
  if (!inserted) return;
  for (Owner* o : m_owners) {
    if (o != nullptr) o->code_page_claimed(host_page);
  }
}

void CodePages::release(Owner* owner, uintptr_t host_page) {
  auto it = m_pages.find(host_page);
  if (it == m_pages.end()) return;
  it->second &= ~(uint64_t(1) << slot_of(owner));
  if (it->second == 0) m_pages.erase(it);
}

void CodePages::release_all(Owner* owner) {
  const uint64_t bit = uint64_t(1) << slot_of(owner);
  for (auto it = m_pages.begin(); it != m_pages.end();) {
    it->second &= ~bit;
    it = it->second == 0 ? m_pages.erase(it) : std::next(it);
  }
}

void CodePages::written(const void* host, size_t size) {
  if (m_pages.empty() || size == 0) return;
  const uintptr_t first = page_of(host);
  const uintptr_t last = page_of(static_cast<const uint8_t*>(host) + size - 1);
  for (uintptr_t page = first;; page += uintptr_t(1) << kPageBits) {
    auto it = m_pages.find(page);
    if (it != m_pages.end()) {
      // The owners may release the page from inside the call: copy the set.
      for (uint64_t owners = it->second; owners != 0; owners &= owners - 1) {
        m_owners[std::countr_zero(owners)]->code_page_written(page);
      }
    }
    if (page == last) break;
  }
}

}  // namespace silica
