#include "cores/engine/code_pages.h"

#include <algorithm>
#include <stdexcept>

namespace silica {

void CodePages::attach(Owner* owner) {
  auto free = std::find(m_owners.begin(), m_owners.end(), nullptr);
  if (free != m_owners.end()) {
    *free = owner;
  } else {
    m_owners.push_back(owner);
  }
}

void CodePages::detach(Owner* owner) {
  release_all(owner);
  m_owners[slot_of(owner)] = nullptr;
}

uint32_t CodePages::slot_of(const Owner* owner) const {
  auto it = std::find(m_owners.begin(), m_owners.end(), owner);
  if (it == m_owners.end()) throw std::logic_error("CodePages: owner not attached");
  return uint32_t(it - m_owners.begin());
}

void CodePages::claim(Owner* owner, uintptr_t host_page) {
  const uint32_t slot = slot_of(owner);
  auto [it, inserted] = m_pages.try_emplace(host_page);
  std::vector<uint32_t>& owners = it->second;
  if (std::find(owners.begin(), owners.end(), slot) == owners.end()) owners.push_back(slot);
  if (!inserted) return;
  for (Owner* o : m_owners) {
    if (o != nullptr) o->code_page_claimed(host_page);
  }
}

void CodePages::release(Owner* owner, uintptr_t host_page) {
  auto it = m_pages.find(host_page);
  if (it == m_pages.end()) return;
  std::erase(it->second, slot_of(owner));
  if (it->second.empty()) m_pages.erase(it);
}

void CodePages::release_all(Owner* owner) {
  const uint32_t slot = slot_of(owner);
  for (auto it = m_pages.begin(); it != m_pages.end();) {
    std::erase(it->second, slot);
    it = it->second.empty() ? m_pages.erase(it) : std::next(it);
  }
}

void CodePages::written(const void* host, size_t size) {
  if (m_pages.empty() || size == 0) return;
  const uintptr_t first = page_of(host);
  const uintptr_t last = page_of(static_cast<const uint8_t*>(host) + size - 1);
  for (uintptr_t page = first;; page += uintptr_t(1) << kPageBits) {
    auto it = m_pages.find(page);
    if (it != m_pages.end()) {
      // The owners may release the page from inside the call: copy the list.
      const std::vector<uint32_t> owners = it->second;
      for (uint32_t slot : owners) m_owners[slot]->code_page_written(page);
    }
    if (page == last) break;
  }
}

}  // namespace silica
