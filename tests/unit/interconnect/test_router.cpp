#include "interconnect/router.h"

#include <gtest/gtest.h>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "interconnect/memory.h"
#include "platforms/component.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica {
namespace {

using test::TlmDriver;

// A target that records the (region-relative) address it was asked for and
// can revoke DMI on demand.
class RecordingTarget : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<RecordingTarget> socket;
  uint64_t last_address = ~uint64_t{0};
  unsigned calls = 0;

  explicit RecordingTarget(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), socket("socket") {
    socket.register_b_transport(this, &RecordingTarget::b_transport);
    socket.register_transport_dbg(this, &RecordingTarget::transport_dbg);
  }
  void revoke(uint64_t start, uint64_t end) { socket->invalidate_direct_mem_ptr(start, end); }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    last_address = trans.get_address();
    ++calls;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned transport_dbg(tlm::tlm_generic_payload& trans) {
    last_address = trans.get_address();
    return trans.get_data_length();
  }
};

// An initiator that remembers DMI invalidations it receives.
class DmiListener : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmiListener> socket;
  std::vector<std::pair<uint64_t, uint64_t>> invalidated;

  explicit DmiListener(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), socket("socket") {
    socket.register_invalidate_direct_mem_ptr(this, &DmiListener::invalidate);
  }

 private:
  void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidated.emplace_back(start, end); }
};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::fresh_systemc_context();
    // sc_start(SC_ZERO_TIME) only elaborates here; that is not worth a warning.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_,
                                            sc_core::SC_DO_NOTHING);
  }
};

// Bus with RAM at 0x80000000 (4 KiB), a device at 0x10000000 (0x100) and a
// small ROM-like RAM at 0x1000; one test initiator.
struct Bench {
  Bench()
      : driver("driver"),
        router("bus"),
        ram("ram", 0x1000),
        small("small", 0x2000),
        device("device") {
    driver.socket.bind(router.target_socket);
    router.map(ram.socket, 0x80000000, 0x1000, "ram");
    router.map(device.socket, 0x10000000, 0x100, "uart0");
    // Mapped with a window smaller than the memory behind it.
    router.map(small.socket, 0x1000, 0x1000, "small");
  }
  void elaborate() { sc_core::sc_start(sc_core::SC_ZERO_TIME); }
  TlmDriver driver;
  Router router;
  Memory ram;
  Memory small;
  RecordingTarget device;
};

TEST_F(RouterTest, RoutesByAddressAndRebases) {
  Bench bench;
  bench.elaborate();
  ASSERT_EQ(bench.driver.write(0x80000010, 0xcafef00d, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bench.ram.host_pointer()[0x10], 0x0d);
  EXPECT_EQ(bench.driver.read32(0x80000010), 0xcafef00du);

  EXPECT_EQ(bench.driver.write(0x10000005, 1, 1), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bench.device.last_address, 5u);

  // Alternate between regions: the remembered last hit must not misroute.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(bench.driver.write(0x1000 + i, i, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(bench.driver.write(0x100000f0 + i, i, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(bench.device.last_address, 0xf0u + i);
  }
  EXPECT_EQ(bench.small.host_pointer()[3], 3);
}

TEST_F(RouterTest, RestoresTheBusAddressAfterForwarding) {
  Bench bench;
  bench.elaborate();
  uint32_t word = 0;
  tlm::tlm_generic_payload trans;
  sc_core::sc_time delay;
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(0x10000040);
  trans.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
  trans.set_data_length(4);
  trans.set_streaming_width(4);
  bench.driver.socket->b_transport(trans, delay);
  EXPECT_EQ(bench.device.last_address, 0x40u);
  EXPECT_EQ(trans.get_address(), 0x10000040u);
}

TEST_F(RouterTest, UnmappedAndStraddlingAccessesFail) {
  Bench bench;
  bench.elaborate();
  tlm::tlm_response_status status;
  bench.driver.read(0x0, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bench.driver.read(0x90000000, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bench.driver.read(0x80000ffe, 4, &status);  // crosses the end of ram
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  bench.driver.read(0x80000ffc, 4, &status);
  EXPECT_EQ(status, tlm::TLM_OK_RESPONSE);
  // A region that ends exactly where another starts: still no split access.
  bench.driver.read(0x1ffe, 4, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(bench.device.calls, 0u);
}

TEST_F(RouterTest, RejectsOverlapsNamingBothRegions) {
  Bench bench;
  Memory extra("extra", 0x1000);
  try {
    bench.router.map(extra.socket, 0x100000f0, 0x20, "clint");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'clint' [0x100000f0..0x1000010f]"), std::string::npos) << message;
    EXPECT_NE(message.find("'uart0' [0x10000000..0x100000ff]"), std::string::npos) << message;
  }
  // Overlap with the region above (starting inside the new one).
  EXPECT_THROW(bench.router.map(extra.socket, 0x7ffff000, 0x1001, "low"), ConfigError);
  // Exactly adjacent is fine.
  bench.router.map(extra.socket, 0x80001000, 0x1000, "adjacent");
  EXPECT_EQ(bench.router.regions().size(), 4u);
}

TEST_F(RouterTest, RejectsEmptyAndWrappingRegions) {
  Bench bench;
  Memory extra("extra", 0x1000);
  EXPECT_THROW(bench.router.map(extra.socket, 0x20000000, 0, "empty"), ConfigError);
  EXPECT_THROW(bench.router.map(extra.socket, 0xfffffffffffff000, 0x2000, "wrap"), ConfigError);
  bench.router.map(extra.socket, 0xfffffffffffff000, 0x1000, "top");  // ends at 2^64: fine
  EXPECT_EQ(bench.router.describe_address(~uint64_t{0}), "top+0xfff");
}

TEST_F(RouterTest, DescribesAddressesAndListsRegions) {
  Bench bench;
  EXPECT_EQ(bench.router.describe_address(0x10000005), "uart0+0x5");
  EXPECT_EQ(bench.router.describe_address(0x80000000), "ram+0x0");
  EXPECT_EQ(bench.router.describe_address(0x20000000), "unmapped");
  const std::vector<BusRegion> regions = bench.router.regions();
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[0].name, "small");
  EXPECT_EQ(regions[0].base, 0x1000u);
  EXPECT_EQ(regions[1].name, "uart0");
  EXPECT_EQ(regions[2].name, "ram");
  EXPECT_EQ(regions[2].size, 0x1000u);
}

TEST_F(RouterTest, DebugTransportWorksBeforeElaborationAndClips) {
  Bench bench;
  unsigned char data[0x20];
  std::fill(std::begin(data), std::end(data), 0xab);
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_WRITE_COMMAND);
  trans.set_address(0x80000ff0);
  trans.set_data_ptr(data);
  trans.set_data_length(sizeof data);
  EXPECT_EQ(bench.router.debug_transport(trans), 0x10u);  // clipped at the end of ram
  EXPECT_EQ(trans.get_address(), 0x80000ff0u);
  EXPECT_EQ(trans.get_data_length(), sizeof data);
  EXPECT_EQ(bench.ram.host_pointer()[0xfff], 0xab);
  trans.set_address(0x40000000);
  EXPECT_EQ(bench.router.debug_transport(trans), 0u);

  // The same through the socket once elaborated.
  bench.elaborate();
  trans.set_address(0x80000000);
  EXPECT_EQ(bench.driver.socket->transport_dbg(trans), sizeof data);
}

TEST_F(RouterTest, TranslatesDmiToBusAddresses) {
  Bench bench;
  bench.elaborate();
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_address(0x80000123);
  ASSERT_TRUE(bench.driver.socket->get_direct_mem_ptr(trans, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x80000000u);
  EXPECT_EQ(dmi.get_end_address(), 0x80000fffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), bench.ram.host_pointer());
  EXPECT_EQ(trans.get_address(), 0x80000123u);
}

TEST_F(RouterTest, ClipsDmiToTheMappedWindow) {
  Bench bench;
  bench.elaborate();
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_address(0x1800);
  ASSERT_TRUE(bench.driver.socket->get_direct_mem_ptr(trans, dmi));
  // The memory offers 0x2000 bytes; only 0x1000 are mapped.
  EXPECT_EQ(dmi.get_start_address(), 0x1000u);
  EXPECT_EQ(dmi.get_end_address(), 0x1fffu);
  EXPECT_EQ(dmi.get_dmi_ptr(), bench.small.host_pointer());
}

TEST_F(RouterTest, DeniesDmiOverUnmappedHoles) {
  Bench bench;
  bench.elaborate();
  tlm::tlm_generic_payload trans;
  tlm::tlm_dmi dmi;
  trans.set_address(0x20000000);
  EXPECT_FALSE(bench.driver.socket->get_direct_mem_ptr(trans, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x10000100u);
  EXPECT_EQ(dmi.get_end_address(), 0x7fffffffu);
  trans.set_address(0x90000000);
  EXPECT_FALSE(bench.driver.socket->get_direct_mem_ptr(trans, dmi));
  EXPECT_EQ(dmi.get_start_address(), 0x80001000u);
  EXPECT_EQ(dmi.get_end_address(), ~uint64_t{0});
}

TEST_F(RouterTest, ForwardsInvalidationsInBusAddressesToEveryInitiator) {
  Bench bench;
  DmiListener listener("listener");
  listener.socket.bind(bench.router.target_socket);
  bench.elaborate();
  bench.device.revoke(0x10, 0x1f);
  ASSERT_EQ(listener.invalidated.size(), 1u);
  EXPECT_EQ(listener.invalidated[0].first, 0x10000010u);
  EXPECT_EQ(listener.invalidated[0].second, 0x1000001fu);
  // "Everything" from the target is clipped to its window.
  bench.device.revoke(0, ~uint64_t{0});
  ASSERT_EQ(listener.invalidated.size(), 2u);
  EXPECT_EQ(listener.invalidated[1].first, 0x10000000u);
  EXPECT_EQ(listener.invalidated[1].second, 0x100000ffu);
}

}  // namespace
}  // namespace silica
