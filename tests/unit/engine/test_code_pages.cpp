// CodePages: which owners hear of writes, and when write mappings must go.
#include "cores/engine/code_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace silica {
namespace {

class RecordingOwner : public CodePages::Owner {
 public:
  void code_page_written(uintptr_t page) override { written.push_back(page); }
  void code_page_claimed(uintptr_t page) override { claimed.push_back(page); }
  std::vector<uintptr_t> written;
  std::vector<uintptr_t> claimed;
};

alignas(4096) uint8_t g_ram[4 * 4096];
uintptr_t page(int n) {
  return reinterpret_cast<uintptr_t>(&g_ram[n * 4096]);
}

TEST(CodePages, WritesReachOnlyTheOwnersOfThePage) {
  CodePages pages;
  RecordingOwner a, b;
  pages.attach(&a);
  pages.attach(&b);
  pages.claim(&a, page(0));
  pages.claim(&b, page(1));
  EXPECT_TRUE(pages.is_code(page(0)));
  EXPECT_FALSE(pages.is_code(page(2)));
  pages.written(&g_ram[10], 4);
  EXPECT_EQ(a.written, std::vector<uintptr_t>{page(0)});
  EXPECT_TRUE(b.written.empty());
  // A write straddling pages 0 and 1 reaches both owners, each for its page.
  pages.written(&g_ram[4096 - 2], 4);
  EXPECT_EQ(a.written.size(), 2u);
  EXPECT_EQ(b.written, std::vector<uintptr_t>{page(1)});
  // A DMA-sized write over all four pages, after a releases page 0.
  pages.release(&a, page(0));
  EXPECT_FALSE(pages.is_code(page(0)));
  pages.written(g_ram, sizeof g_ram);
  EXPECT_EQ(a.written.size(), 2u);
  EXPECT_EQ(b.written.size(), 2u);
  pages.detach(&a);
  pages.detach(&b);
}

TEST(CodePages, TheFirstClaimOfAPageTellsEveryOwner) {
  CodePages pages;
  RecordingOwner a, b;
  pages.attach(&a);
  pages.attach(&b);
  pages.claim(&a, page(2));
  pages.claim(&b, page(2));  // already code: no second announcement
  EXPECT_EQ(a.claimed, std::vector<uintptr_t>{page(2)});
  EXPECT_EQ(b.claimed, std::vector<uintptr_t>{page(2)});
  // Still code while b holds it.
  pages.release_all(&a);
  EXPECT_TRUE(pages.is_code(page(2)));
  pages.written(&g_ram[2 * 4096], 1);
  EXPECT_TRUE(a.written.empty());
  EXPECT_EQ(b.written.size(), 1u);
  // A detached owner's pages are free and it hears nothing more.
  pages.detach(&b);
  EXPECT_FALSE(pages.is_code(page(2)));
  pages.detach(&a);
}

TEST(CodePages, ManyOwnersAndReusedSlots) {
  // Two code caches per hart: a 64-hart machine has 128 owners.
  CodePages pages;
  std::vector<RecordingOwner> owners(129);
  for (unsigned i = 0; i < 128; ++i) pages.attach(&owners[i]);
  for (unsigned i = 0; i < 128; i += 2) pages.claim(&owners[i], page(3));
  pages.detach(&owners[3]);
  pages.attach(&owners.back());  // takes the freed slot
  pages.claim(&owners.back(), page(3));
  pages.written(&g_ram[3 * 4096 + 8], 8);
  for (unsigned i = 0; i < 128; ++i) EXPECT_EQ(owners[i].written.size(), i % 2 == 0 ? 1u : 0u);
  EXPECT_EQ(owners.back().written.size(), 1u);
  for (unsigned i = 0; i < 128; ++i) {
    if (i != 3) pages.detach(&owners[i]);
  }
  pages.detach(&owners.back());
  EXPECT_FALSE(pages.is_code(page(3)));
}

}  // namespace
}  // namespace silica
