#include "interconnect/memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <utility>
#include <vector>

#include "platforms/component.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;
using test::TlmDriver;

// RAM bound to a test initiator, elaborated and ready for transactions.
struct MemoryBench {
  explicit MemoryBench(uint64_t size, const sc_time& latency = sc_core::SC_ZERO_TIME)
      : driver("driver"), memory("memory", size, latency) {
    driver.socket.bind(memory.socket);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  TlmDriver driver;
  Memory memory;
};

class MemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::fresh_systemc_context();
    // sc_start(SC_ZERO_TIME) only elaborates here; that is not worth a warning.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_,
                                            sc_core::SC_DO_NOTHING);
  }
};

TEST_F(MemoryTest, WritesAndReadsBackAtEveryWidth) {
  MemoryBench bench(0x1000);
  for (unsigned len : {1u, 2u, 4u, 8u}) {
    const uint64_t value = 0x1122334455667788ULL >> (64 - 8 * len);
    ASSERT_EQ(bench.driver.write(0x100 + len * 8, value, len), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(bench.driver.read(0x100 + len * 8, len), value) << "len " << len;
  }
  // Little-endian host layout, as the guest sees it.
  EXPECT_EQ(bench.memory.host_pointer()[0x100 + 64], 0x88);
}

TEST_F(MemoryTest, StartsZeroed) {
  MemoryBench bench(0x10000);
  EXPECT_EQ(bench.driver.read(0xfff8, 8), 0u);
  EXPECT_EQ(bench.memory.size(), 0x10000u);
}

TEST_F(MemoryTest, AnnotatesLatencyAndAllowsDmi) {
  MemoryBench bench(0x1000, sc_time(5, SC_NS));
  uint32_t word = 0;
  sc_time delay(1, SC_NS);
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(0);
  trans.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
  trans.set_data_length(4);
  trans.set_streaming_width(4);
  trans.set_dmi_allowed(false);
  bench.driver.socket->b_transport(trans, delay);
  ASSERT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(delay, sc_time(6, SC_NS));  // added to what the initiator had
  EXPECT_TRUE(trans.is_dmi_allowed());
}

TEST_F(MemoryTest, RejectsOutOfRangeAndStraddlingAccesses) {
  MemoryBench bench(0x1000);
  tlm::tlm_response_status status;
  bench.driver.read(0x1000, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bench.driver.read(0xffe, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(bench.driver.write(~uint64_t{0}, 1, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bench.driver.read(0xffc, 4, &status);
  EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
}

TEST_F(MemoryTest, HonoursByteEnables) {
  MemoryBench bench(0x100);
  bench.driver.write(0x10, 0x44332211, 4);
  unsigned char data[4] = {0xaa, 0xbb, 0xcc, 0xdd};
  unsigned char enables[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};  // repeats over the data
  tlm::tlm_generic_payload trans;
  sc_time delay;
  trans.set_command(tlm::TLM_WRITE_COMMAND);
  trans.set_address(0x10);
  trans.set_data_ptr(data);
  trans.set_data_length(4);
  trans.set_streaming_width(4);
  trans.set_byte_enable_ptr(enables);
  trans.set_byte_enable_length(2);
  bench.driver.socket->b_transport(trans, delay);
  ASSERT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bench.driver.read(0x10, 4), 0x44cc22aau);

  unsigned char out[4] = {0, 0, 0, 0};
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_data_ptr(out);
  bench.driver.socket->b_transport(trans, delay);
  EXPECT_EQ(out[0], 0xaa);
  EXPECT_EQ(out[1], 0);  // disabled bytes are left alone
  EXPECT_EQ(out[2], 0xcc);
}

TEST_F(MemoryTest, StreamingWidthRepeatsTheAddresses) {
  MemoryBench bench(0x100);
  unsigned char data[4] = {1, 2, 3, 4};
  tlm::tlm_generic_payload trans;
  sc_time delay;
  trans.set_command(tlm::TLM_WRITE_COMMAND);
  trans.set_address(0x20);
  trans.set_data_ptr(data);
  trans.set_data_length(4);
  trans.set_streaming_width(1);  // a FIFO-like burst: every byte to 0x20
  bench.driver.socket->b_transport(trans, delay);
  ASSERT_EQ(trans.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bench.driver.read(0x20, 2), 4u);
}

TEST_F(MemoryTest, DebugTransportIsClippedAtTheEnd) {
  MemoryBench bench(0x100);
  unsigned char data[16];
  std::memset(data, 0x5a, sizeof data);
  EXPECT_EQ(test::debug_access(bench.driver, tlm::TLM_WRITE_COMMAND, 0xf8, data, 16), 8u);
  EXPECT_EQ(bench.memory.host_pointer()[0xff], 0x5a);
  EXPECT_EQ(test::debug_access(bench.driver, tlm::TLM_WRITE_COMMAND, 0x100, data, 16), 0u);
}

TEST_F(MemoryTest, WriteHookSeesBusAndDebugWritesButNotReads) {
  MemoryBench bench(0x1000);
  std::vector<std::pair<const uint8_t*, uint64_t>> seen;
  bench.memory.add_write_hook(
      [&](const uint8_t* host, uint64_t size) { seen.emplace_back(host, size); });
  bench.driver.write(0x10, 0x1122334455667788, 8);
  bench.driver.read(0x10, 8);
  unsigned char data[3] = {1, 2, 3};
  EXPECT_EQ(test::debug_access(bench.driver, tlm::TLM_WRITE_COMMAND, 0x200, data, 3), 3u);
  test::debug_access(bench.driver, tlm::TLM_READ_COMMAND, 0x200, data, 3);
  const uint8_t* base = bench.memory.host_pointer();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(base + 0x10, uint64_t(8)));
  EXPECT_EQ(seen[1], std::make_pair(base + 0x200, uint64_t(3)));
}

TEST_F(MemoryTest, GrantsReadWriteDmiOverTheWholeRam) {
  MemoryBench bench(0x4000, sc_time(2, SC_NS));
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_address(0x1234);
  ASSERT_TRUE(bench.driver.socket->get_direct_mem_ptr(trans, dmi));
  EXPECT_EQ(dmi.get_dmi_ptr(), bench.memory.host_pointer());
  EXPECT_EQ(dmi.get_start_address(), 0u);
  EXPECT_EQ(dmi.get_end_address(), 0x3fffu);
  EXPECT_TRUE(dmi.is_read_write_allowed());
  EXPECT_EQ(dmi.get_read_latency(), sc_time(2, SC_NS));

  // The DMI pointer and transactions see the same bytes.
  dmi.get_dmi_ptr()[0x40] = 0x77;
  EXPECT_EQ(bench.driver.read8(0x40), 0x77);

  trans.set_address(0x4000);
  EXPECT_FALSE(bench.driver.socket->get_direct_mem_ptr(trans, dmi));
}

TEST_F(MemoryTest, LargeRamCostsNothingUntilTouched) {
  MemoryBench bench(uint64_t{2} << 30);
  EXPECT_EQ(bench.driver.read(0x7ffffff8, 8), 0u);
  ASSERT_EQ(bench.driver.write(0x7ffffff8, 0xdeadbeef, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bench.driver.read32(0x7ffffff8), 0xdeadbeefu);
}

TEST_F(MemoryTest, ZeroSizeIsAConfigurationError) {
  try {
    Memory memory("empty", 0);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace silica
