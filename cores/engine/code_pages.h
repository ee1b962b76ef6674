// Which pages of guest RAM hold instructions that some engine has decoded,
// for one machine: every hart's code caches, and every writer of RAM.
//
// Pages are named by their host address (the DMI pointer to the page), so a
// RAM reachable at several guest addresses is one page here, and RAM models
// that see only offsets can report writes too.
//
// Writers report every write that does not go through a hart's write TLB
// (which never maps a code page): a hart's slow-path stores, bus and debug
// writes into RAM (DMA, loaders, gdb). The owners of the page's decoded code
// then drop it before they next run. So stores by any hart or device reach
// every hart's code caches precisely, and fence.i has nothing left to do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace silica {

class CodePages {
 public:
  // A code cache: one engine of one hart.
  class Owner {
   public:
    virtual ~Owner() = default;
    // Code decoded from this page is stale: drop it before running again.
    // Called for the owner's own stores too.
    virtual void code_page_written(uintptr_t host_page) = 0;
    // Some owner started to decode code from this page: from now on stores
    // there must reach write(), so no write-TLB entry may map it.
    virtual void code_page_claimed(uintptr_t host_page) = 0;
  };

  static constexpr unsigned kPageBits = 12;
  static constexpr uintptr_t kPageMask = ~((uintptr_t(1) << kPageBits) - 1);

  static uintptr_t page_of(const void* host) {
    return reinterpret_cast<uintptr_t>(host) & kPageMask;
  }

  // Owners register once and leave before they are destroyed.
  void attach(Owner* owner);
  void detach(Owner* owner);

  // The owner decoded code from the page; the first claim of a page tells
  // every owner (code_page_claimed).
  void claim(Owner* owner, uintptr_t host_page);
  // The owner dropped everything it decoded from the page, or from any page.
  void release(Owner* owner, uintptr_t host_page);
  void release_all(Owner* owner);

  bool is_code(uintptr_t host_page) const { return m_pages.find(host_page) != m_pages.end(); }
  // Bytes [host, host + size) were written: the owners of code there hear it.
  void written(const void* host, size_t size);

 private:
  uint32_t slot_of(const Owner* owner) const;

  std::vector<Owner*> m_owners;  // by slot; null: free
  // Host page -> the slots of its owners (two per hart: few, so a vector).
  std::unordered_map<uintptr_t, std::vector<uint32_t>> m_pages;
};

}  // namespace silica
