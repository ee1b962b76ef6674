// VirtioMmio + VirtioBlk through their TLM sockets: a test initiator plays the
// driver on the register socket, a test memory serves as guest RAM for the
// device's DMA socket, and a temporary raw image backs the drive.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "peripherals/virtio_blk.h"
#include "peripherals/virtio_mmio.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

using VM = VirtioMmio;

constexpr uint64_t kRamSize = 1 << 20;
constexpr uint64_t kDesc = 0x1000;   // descriptor table
constexpr uint64_t kAvail = 0x2000;  // available ring
constexpr uint64_t kUsed = 0x3000;   // used ring
constexpr uint64_t kHeader = 0x10000;
constexpr uint64_t kStatusByte = 0x10800;
constexpr uint64_t kData = 0x20000;
constexpr uint64_t kIndirect = 0x4000;
constexpr uint64_t kOutside = 0x4000'0000;  // beyond the guest RAM
constexpr uint16_t kNum = 8;
constexpr uint64_t kSectors = 64;
constexpr uint16_t kNext = 1, kWrite = 2, kIndirectFlag = 4;
constexpr uint64_t kVersion1 = uint64_t{1} << 32;
constexpr uint64_t kIndirectDesc = uint64_t{1} << 28;
constexpr uint64_t kEventIdx = uint64_t{1} << 29;
constexpr uint32_t kAck = virtio_status::kAcknowledge, kDrv = virtio_status::kDriver,
                   kFeaturesOk = virtio_status::kFeaturesOk, kDriverOk = virtio_status::kDriverOk,
                   kNeedsReset = virtio_status::kDeviceNeedsReset;

// The image's initial content: every byte depends on its sector and offset.
uint8_t pattern(uint64_t sector, uint64_t offset) {
  return static_cast<uint8_t>(sector * 31 + offset * 7 + 1);
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Guest RAM at bus address 0 with optional DMI; counts what the device asks.
class GuestRam : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<GuestRam> socket;
  std::vector<uint8_t> bytes;
  bool dmi_enabled = true;
  unsigned transports = 0;
  unsigned read_transports = 0;
  unsigned dmi_requests = 0;

  explicit GuestRam(const sc_core::sc_module_name& name)
      : sc_core::sc_module(name), socket("socket"), bytes(kRamSize) {
    socket.register_b_transport(this, &GuestRam::b_transport);
    socket.register_get_direct_mem_ptr(this, &GuestRam::get_direct_mem_ptr);
  }
  void invalidate_all() { socket->invalidate_direct_mem_ptr(0, ~uint64_t{0}); }

  void put(uint64_t address, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i)
      bytes.at(address + i) = static_cast<uint8_t>(value >> 8 * i);
  }
  uint64_t get(uint64_t address, unsigned size) const {
    uint64_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= uint64_t{bytes.at(address + i)} << 8 * i;
    return value;
  }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
    ++transports;
    if (trans.is_read()) ++read_transports;
    const uint64_t address = trans.get_address();
    const unsigned length = trans.get_data_length();
    if (address >= bytes.size() || length > bytes.size() - address) {
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (trans.is_read()) {
      std::memcpy(trans.get_data_ptr(), bytes.data() + address, length);
    } else {
      std::memcpy(bytes.data() + address, trans.get_data_ptr(), length);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    ++dmi_requests;
    if (trans.get_address() >= bytes.size()) {
      dmi.set_start_address(bytes.size());
      dmi.set_end_address(~uint64_t{0});
      dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
      return false;
    }
    dmi.set_start_address(0);
    dmi.set_end_address(bytes.size() - 1);
    if (!dmi_enabled) {
      dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
      return false;
    }
    dmi.set_dmi_ptr(bytes.data());
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    return true;
  }
};

// Runs the delta cycles due now: the device serves a notify in a method
// triggered by an event, and sc_start(SC_ZERO_TIME) may stop one delta short.
void settle() {
  for (int i = 0; i < 16 && sc_core::sc_pending_activity_at_current_time(); ++i) {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
}

struct Completion {
  uint8_t status;
  uint32_t used_length;
};

// Public members: the table-driven test below prepares cases from lambdas.
class VirtioBlkTest : public ::testing::Test {
 public:
  void SetUp() override {
    char path[] = "/tmp/silica_virtio_XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    m_path = path;
    std::vector<uint8_t> content(kSectors * 512);
    for (uint64_t i = 0; i < content.size(); ++i) content[i] = pattern(i / 512, i % 512);
    ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
  }
  void TearDown() override {
    m_mmio.reset();
    m_blk.reset();
    m_image.reset();
    unlink(m_path.c_str());
  }

  void build(const std::string& options = "", const std::string& serial = "") {
    // Models of an earlier build go first, while their context is current.
    m_ram.reset();
    m_driver.reset();
    m_mmio.reset();
    fresh_systemc_context();
    DriveSpec spec = parse_drive_spec(m_path + options);
    m_image = std::make_unique<DiskImage>(spec);
    m_blk = std::make_unique<VirtioBlk>(*m_image, serial);
    m_mmio = std::make_unique<VirtioMmio>("virtio", m_blk.get());
    m_driver = std::make_unique<TlmDriver>("driver");
    m_ram = std::make_unique<GuestRam>("ram");
    m_driver->socket.bind(m_mmio->socket);
    m_mmio->dma.bind(m_ram->socket);
    m_mmio->irq.bind(m_probe, 0);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  uint32_t reg(uint64_t offset) { return m_driver->read32(offset); }
  void set(uint64_t offset, uint32_t value) { m_driver->write32(offset, value); }

  // The driver's initialization (VIRTIO 1.2 section 3.1.1) up to FEATURES_OK;
  // returns whether the device kept it.
  bool negotiate(uint64_t features) {
    set(VM::kStatus, kAck);
    set(VM::kStatus, kAck | kDrv);
    set(VM::kDriverFeaturesSel, 0);
    set(VM::kDriverFeatures, static_cast<uint32_t>(features));
    set(VM::kDriverFeaturesSel, 1);
    set(VM::kDriverFeatures, static_cast<uint32_t>(features >> 32));
    set(VM::kStatus, kAck | kDrv | kFeaturesOk);
    return (reg(VM::kStatus) & kFeaturesOk) != 0;
  }
  void setup_queue(uint32_t num = kNum) {
    set(VM::kQueueSel, 0);
    set(VM::kQueueNum, num);
    set(VM::kQueueDescLow, static_cast<uint32_t>(kDesc));
    set(VM::kQueueDescHigh, 0);
    set(VM::kQueueDriverLow, static_cast<uint32_t>(kAvail));
    set(VM::kQueueDriverHigh, 0);
    set(VM::kQueueDeviceLow, static_cast<uint32_t>(kUsed));
    set(VM::kQueueDeviceHigh, 0);
    set(VM::kQueueReady, 1);
  }
  void start(uint64_t features = kVersion1) {
    ASSERT_TRUE(negotiate(features));
    setup_queue();
    ASSERT_EQ(reg(VM::kQueueReady), 1u);
    set(VM::kStatus, kAck | kDrv | kFeaturesOk | kDriverOk);
    settle();
  }

  void descriptor(uint64_t table, unsigned index, uint64_t address, uint32_t length, uint16_t flags,
                  uint16_t next = 0) {
    const uint64_t at = table + 16 * index;
    m_ram->put(at, address, 8);
    m_ram->put(at + 8, length, 4);
    m_ram->put(at + 12, flags, 2);
    m_ram->put(at + 14, next, 2);
  }
  // Makes chain `head` available, notifies queue 0 and lets the device run.
  void make_available(uint16_t head) {
    m_ram->put(kAvail + 4 + 2 * (m_avail_idx % kNum), head, 2);
    ++m_avail_idx;
    m_ram->put(kAvail + 2, m_avail_idx, 2);
    set(VM::kQueueNotify, 0);
    settle();
  }
  uint16_t used_idx() const { return static_cast<uint16_t>(m_ram->get(kUsed + 2, 2)); }
  uint32_t used_id(unsigned i) const {
    return static_cast<uint32_t>(m_ram->get(kUsed + 4 + 8 * (i % kNum), 4));
  }
  uint32_t used_length(unsigned i) const {
    return static_cast<uint32_t>(m_ram->get(kUsed + 4 + 8 * (i % kNum) + 4, 4));
  }

  // A block request as Linux frames it: header, data, status in three
  // descriptors (two without data). `data_from_device`: IN-like requests.
  Completion request(uint32_t type, uint64_t sector, uint32_t data_length, bool data_from_device) {
    m_ram->put(kHeader, type, 4);
    m_ram->put(kHeader + 4, 0, 4);
    m_ram->put(kHeader + 8, sector, 8);
    m_ram->put(kStatusByte, 0xee, 1);
    if (data_length == 0) {
      descriptor(kDesc, 0, kHeader, 16, kNext, 2);
    } else {
      descriptor(kDesc, 0, kHeader, 16, kNext, 1);
      descriptor(kDesc, 1, kData, data_length, kNext | (data_from_device ? kWrite : 0), 2);
    }
    descriptor(kDesc, 2, kStatusByte, 1, kWrite);
    const uint16_t before = used_idx();
    make_available(0);
    EXPECT_EQ(used_idx(), static_cast<uint16_t>(before + 1)) << m_mmio->error();
    EXPECT_EQ(used_id(before), 0u);
    return {static_cast<uint8_t>(m_ram->get(kStatusByte, 1)), used_length(before)};
  }
  void ack_all() { set(VM::kInterruptAck, reg(VM::kInterruptStatus)); }

  std::string m_path;
  IrqProbe m_probe;
  std::unique_ptr<DiskImage> m_image;
  std::unique_ptr<VirtioBlk> m_blk;
  std::unique_ptr<VirtioMmio> m_mmio;
  std::unique_ptr<TlmDriver> m_driver;
  std::unique_ptr<GuestRam> m_ram;
  uint16_t m_avail_idx = 0;
};

TEST_F(VirtioBlkTest, IdentifiesAsAModernBlockDevice) {
  build();
  EXPECT_EQ(reg(VM::kMagicValue), 0x74726976u);
  EXPECT_EQ(reg(VM::kVersion), 2u);
  EXPECT_EQ(reg(VM::kDeviceId), 2u);
  EXPECT_EQ(reg(VM::kVendorId), 0x554d4551u);
  set(VM::kDeviceFeaturesSel, 0);
  const uint32_t low = reg(VM::kDeviceFeatures);
  EXPECT_EQ(low, (1u << 2) | (1u << 6) | (1u << 9) | kIndirectDesc | kEventIdx);  // not RO
  set(VM::kDeviceFeaturesSel, 1);
  EXPECT_EQ(reg(VM::kDeviceFeatures), 1u);  // VERSION_1 and nothing else
  set(VM::kDeviceFeaturesSel, 2);
  EXPECT_EQ(reg(VM::kDeviceFeatures), 0u);
  // Configuration space: capacity (whole and in halves), seg_max, blk_size.
  EXPECT_EQ(m_driver->read(VM::kConfig, 8), kSectors);
  EXPECT_EQ(reg(VM::kConfig), kSectors);
  EXPECT_EQ(reg(VM::kConfig + 4), 0u);
  EXPECT_EQ(reg(VM::kConfig + 0x0c), VirtioBlk::kQueueSize - 2u);
  EXPECT_EQ(reg(VM::kConfig + 0x14), 512u);
  EXPECT_EQ(m_driver->read8(VM::kConfig + 0x12), 0u);  // geometry.heads: byte access
  EXPECT_EQ(reg(VM::kConfigGeneration), 0u);
  EXPECT_EQ(reg(VM::kShmLenLow), 0xffffffffu);  // no shared memory
  // One queue of 256; other queue numbers do not exist.
  set(VM::kQueueSel, 0);
  EXPECT_EQ(reg(VM::kQueueNumMax), 256u);
  set(VM::kQueueSel, 1);
  EXPECT_EQ(reg(VM::kQueueNumMax), 0u);
  // Write-only registers read 0; undeclared offsets are errors.
  EXPECT_EQ(reg(VM::kQueueNotify), 0u);
  tlm::tlm_response_status status;
  m_driver->read(0x28, 4, &status);  // legacy GuestPageSize: not in version 2
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

TEST_F(VirtioBlkTest, FeaturesOkNeedsVersion1AndOnlyOfferedFeatures) {
  build();
  EXPECT_FALSE(negotiate(0));                              // legacy driver: refused
  EXPECT_FALSE(negotiate(kVersion1 | (1u << 5)));          // RO is not offered on this drive
  EXPECT_FALSE(negotiate(kVersion1 | uint64_t{1} << 34));  // RING_PACKED is not offered
  set(VM::kStatus, 0);
  EXPECT_TRUE(negotiate(kVersion1 | kIndirectDesc | kEventIdx | (1u << 9)));
  EXPECT_EQ(reg(VM::kStatus), kAck | kDrv | kFeaturesOk);
}

TEST_F(VirtioBlkTest, ReadsSectorsAndInterrupts) {
  build();
  start();
  EXPECT_FALSE(m_probe.level());
  const Completion done = request(VirtioBlk::kTypeIn, 3, 2 * 512, true);
  EXPECT_EQ(done.status, VirtioBlk::kStatusOk);
  EXPECT_EQ(done.used_length, 2 * 512 + 1u);  // data and status byte
  for (uint64_t i = 0; i < 1024; ++i) {
    ASSERT_EQ(m_ram->bytes[kData + i], pattern(3 + i / 512, i % 512)) << i;
  }
  EXPECT_EQ(m_ram->bytes[kData + 1024], 0u);  // nothing past the buffer
  EXPECT_TRUE(m_probe.level());
  EXPECT_EQ(reg(VM::kInterruptStatus), VM::kInterruptUsedBuffer);
  set(VM::kInterruptAck, VM::kInterruptUsedBuffer);
  EXPECT_FALSE(m_probe.level());
  EXPECT_EQ(reg(VM::kInterruptStatus), 0u);
  // A second request raises it again; the used ring keeps going.
  EXPECT_EQ(request(VirtioBlk::kTypeIn, kSectors - 1, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(used_idx(), 2);
  EXPECT_TRUE(m_probe.level());
}

TEST_F(VirtioBlkTest, WritesThroughToTheImageAndFlushes) {
  build();
  start(kVersion1 | (1u << 9));  // FLUSH negotiated: writeback until a flush
  for (unsigned i = 0; i < 512; ++i) m_ram->bytes[kData + i] = static_cast<uint8_t>(0xa0 ^ i);
  const Completion written = request(VirtioBlk::kTypeOut, 5, 512, false);
  EXPECT_EQ(written.status, VirtioBlk::kStatusOk);
  EXPECT_EQ(written.used_length, 1u);  // only the status byte
  EXPECT_EQ(request(VirtioBlk::kTypeFlush, 0, 0, false).status, VirtioBlk::kStatusOk);
  const std::vector<uint8_t> file = file_bytes(m_path);
  ASSERT_EQ(file.size(), kSectors * 512);
  for (unsigned i = 0; i < 512; ++i) ASSERT_EQ(file[5 * 512 + i], static_cast<uint8_t>(0xa0 ^ i));
  EXPECT_EQ(file[4 * 512 + 511], pattern(4, 511));  // neighbours untouched
  EXPECT_EQ(file[6 * 512], pattern(6, 0));
  // And the guest reads back what it wrote.
  std::memset(m_ram->bytes.data() + kData, 0, 512);
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 5, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->bytes[kData + 3], static_cast<uint8_t>(0xa0 ^ 3));
}

TEST_F(VirtioBlkTest, SnapshotKeepsWritesInMemoryAndTheFileUnchanged) {
  const std::vector<uint8_t> before = file_bytes(m_path);
  build(",snapshot=on");
  start();
  for (unsigned i = 0; i < 1024; ++i) m_ram->bytes[kData + i] = 0x5a;
  EXPECT_EQ(request(VirtioBlk::kTypeOut, 10, 1024, false).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(request(VirtioBlk::kTypeFlush, 0, 0, false).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(m_image->overlay_sectors(), 2u);
  // A read spanning written and unwritten sectors sees both.
  std::memset(m_ram->bytes.data() + kData, 0, 3 * 512);
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 9, 3 * 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->bytes[kData + 7], pattern(9, 7));
  EXPECT_EQ(m_ram->bytes[kData + 512], 0x5a);
  EXPECT_EQ(m_ram->bytes[kData + 3 * 512 - 1], 0x5a);
  EXPECT_EQ(file_bytes(m_path), before);
}

TEST_F(VirtioBlkTest, ReadOnlyDriveOffersRoAndRejectsWrites) {
  build(",readonly=on");
  set(VM::kDeviceFeaturesSel, 0);
  EXPECT_NE(reg(VM::kDeviceFeatures) & (1u << 5), 0u);
  start(kVersion1 | (1u << 5));
  EXPECT_EQ(request(VirtioBlk::kTypeOut, 0, 512, false).status, VirtioBlk::kStatusIoErr);
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->bytes[kData + 1], pattern(0, 1));
}

TEST_F(VirtioBlkTest, GetIdReturnsTheSerialZeroPadded) {
  build("", "silica-disk-0");
  start();
  std::memset(m_ram->bytes.data() + kData, 0xff, 32);
  const Completion done = request(VirtioBlk::kTypeGetId, 0, 20, true);
  EXPECT_EQ(done.status, VirtioBlk::kStatusOk);
  EXPECT_EQ(done.used_length, 21u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&m_ram->bytes[kData])), "silica-disk-0");
  for (unsigned i = 13; i < 20; ++i) EXPECT_EQ(m_ram->bytes[kData + i], 0u) << i;
  EXPECT_EQ(m_ram->bytes[kData + 20], 0xffu);
}

TEST_F(VirtioBlkTest, BadRequestsGetUnsuppOrIoErr) {
  build();
  start();
  // DISCARD (11) and WRITE_ZEROES (13) are not offered; 0x1234 does not exist.
  EXPECT_EQ(request(11, 0, 16, false).status, VirtioBlk::kStatusUnsupp);
  EXPECT_EQ(request(13, 0, 16, false).status, VirtioBlk::kStatusUnsupp);
  EXPECT_EQ(request(0x1234, 0, 0, false).status, VirtioBlk::kStatusUnsupp);
  // Past the end of the disk, partly or wholly; not whole sectors.
  EXPECT_EQ(request(VirtioBlk::kTypeIn, kSectors - 1, 1024, true).status, VirtioBlk::kStatusIoErr);
  EXPECT_EQ(request(VirtioBlk::kTypeIn, ~uint64_t{0}, 512, true).status, VirtioBlk::kStatusIoErr);
  EXPECT_EQ(request(VirtioBlk::kTypeOut, kSectors, 512, false).status, VirtioBlk::kStatusIoErr);
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 100, true).status, VirtioBlk::kStatusIoErr);
  // None of this is a device error.
  EXPECT_EQ(reg(VM::kStatus) & kNeedsReset, 0u);
  EXPECT_EQ(file_bytes(m_path)[kSectors * 512 - 1], pattern(kSectors - 1, 511));
}

TEST_F(VirtioBlkTest, FramingDoesNotMatter) {
  build();
  start();
  // Header split 5 + 11, data in pieces of 100, 300 and 112, status alone.
  m_ram->put(kHeader, VirtioBlk::kTypeIn, 4);
  m_ram->put(kHeader + 8, 7, 8);
  descriptor(kDesc, 4, kHeader, 5, kNext, 6);
  descriptor(kDesc, 6, kHeader + 5, 11, kNext, 1);
  descriptor(kDesc, 1, kData + 1000, 100, kNext | kWrite, 7);
  descriptor(kDesc, 7, kData, 300, kNext | kWrite, 3);
  descriptor(kDesc, 3, kData + 2000, 112, kNext | kWrite, 5);
  descriptor(kDesc, 5, kStatusByte, 1, kWrite);
  make_available(4);
  ASSERT_EQ(used_idx(), 1) << m_mmio->error();
  EXPECT_EQ(used_id(0), 4u);
  EXPECT_EQ(used_length(0), 513u);
  EXPECT_EQ(m_ram->bytes[kStatusByte], VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->bytes[kData + 1000 + 99], pattern(7, 99));
  EXPECT_EQ(m_ram->bytes[kData + 0], pattern(7, 100));
  EXPECT_EQ(m_ram->bytes[kData + 2000 + 111], pattern(7, 511));
}

TEST_F(VirtioBlkTest, IndirectDescriptors) {
  build();
  start(kVersion1 | kIndirectDesc);
  m_ram->put(kHeader, VirtioBlk::kTypeIn, 4);
  m_ram->put(kHeader + 8, 2, 8);
  descriptor(kIndirect, 0, kHeader, 16, kNext, 2);
  descriptor(kIndirect, 2, kData, 512, kNext | kWrite, 1);
  descriptor(kIndirect, 1, kStatusByte, 1, kWrite);
  descriptor(kDesc, 3, kIndirect, 3 * 16, kIndirectFlag);
  make_available(3);
  ASSERT_EQ(used_idx(), 1) << m_mmio->error();
  EXPECT_EQ(used_id(0), 3u);
  EXPECT_EQ(m_ram->bytes[kStatusByte], VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->bytes[kData + 511], pattern(2, 511));
}

TEST_F(VirtioBlkTest, IndirectWithoutTheFeatureIsADeviceError) {
  build();
  start();  // INDIRECT_DESC not negotiated
  descriptor(kDesc, 0, kIndirect, 3 * 16, kIndirectFlag);
  make_available(0);
  EXPECT_EQ(used_idx(), 0);
  EXPECT_NE(reg(VM::kStatus) & kNeedsReset, 0u);
  EXPECT_NE(m_mmio->error().find("INDIRECT"), std::string::npos) << m_mmio->error();
}

TEST_F(VirtioBlkTest, NoInterruptFlagSuppressesTheInterrupt) {
  build();
  start();
  m_ram->put(kAvail, 1, 2);  // VIRTQ_AVAIL_F_NO_INTERRUPT
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_FALSE(m_probe.level());
  EXPECT_EQ(reg(VM::kInterruptStatus), 0u);
  m_ram->put(kAvail, 0, 2);
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_TRUE(m_probe.level());
}

TEST_F(VirtioBlkTest, EventIdxInterruptsOnlyWhenUsedEventIsPassed) {
  build();
  start(kVersion1 | kEventIdx);
  const uint64_t used_event = kAvail + 4 + 2 * kNum;
  const uint64_t avail_event = kUsed + 4 + 8 * kNum;
  m_ram->put(used_event, 1, 2);  // interrupt once the used index passes 1
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_FALSE(m_probe.level());              // used index went 0 -> 1
  EXPECT_EQ(m_ram->get(avail_event, 2), 1u);  // the device has seen one buffer
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_TRUE(m_probe.level());  // 1 -> 2 passes used_event 1
  EXPECT_EQ(m_ram->get(avail_event, 2), 2u);
  ack_all();
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_FALSE(m_probe.level());  // 2 -> 3: used_event is behind
}

TEST_F(VirtioBlkTest, ServesSeveralChainsPerNotifyAndNothingBeforeDriverOk) {
  build();
  ASSERT_TRUE(negotiate(kVersion1));
  setup_queue();
  m_ram->put(kHeader, VirtioBlk::kTypeGetId, 4);
  descriptor(kDesc, 0, kHeader, 16, kNext, 1);
  descriptor(kDesc, 1, kStatusByte, 1, kWrite);
  descriptor(kDesc, 2, kHeader, 16, kNext, 3);
  descriptor(kDesc, 3, kStatusByte + 1, 1, kWrite);
  make_available(0);
  make_available(2);
  EXPECT_EQ(used_idx(), 0);  // no DRIVER_OK yet
  set(VM::kStatus, kAck | kDrv | kFeaturesOk | kDriverOk);
  settle();
  ASSERT_EQ(used_idx(), 2) << m_mmio->error();
  EXPECT_EQ(used_id(0), 0u);
  EXPECT_EQ(used_id(1), 2u);
}

TEST_F(VirtioBlkTest, ResetClearsQueuesAndInterrupts) {
  build();
  start();
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  ASSERT_TRUE(m_probe.level());
  set(VM::kStatus, 0);
  EXPECT_EQ(reg(VM::kStatus), 0u);
  EXPECT_EQ(reg(VM::kInterruptStatus), 0u);
  EXPECT_FALSE(m_probe.level());
  set(VM::kQueueSel, 0);
  EXPECT_EQ(reg(VM::kQueueReady), 0u);
  // A notify after the reset serves nothing: the queue is gone.
  make_available(0);
  EXPECT_EQ(used_idx(), 1);
  // Set up again, the queue starts from index 0 on fresh rings.
  std::memset(m_ram->bytes.data() + kAvail, 0, 0x2000);
  m_avail_idx = 0;
  start();
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 1, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_EQ(m_ram->bytes[kData], pattern(1, 0));
}

TEST_F(VirtioBlkTest, RejectsBadQueueConfiguration) {
  build();
  ASSERT_TRUE(negotiate(kVersion1));
  setup_queue(6);  // not a power of two
  EXPECT_EQ(reg(VM::kQueueReady), 0u);
  EXPECT_NE(reg(VM::kStatus) & kNeedsReset, 0u);
  EXPECT_NE(m_mmio->error().find("power of two"), std::string::npos) << m_mmio->error();
}

TEST_F(VirtioBlkTest, ALoopingChainNeedsResetAndRaisesConfigChange) {
  build();
  start();
  m_ram->put(kHeader, VirtioBlk::kTypeIn, 4);
  descriptor(kDesc, 0, kHeader, 16, kNext, 1);
  descriptor(kDesc, 1, kData, 512, kNext, 0);  // back to 0
  make_available(0);
  EXPECT_EQ(used_idx(), 0);
  EXPECT_NE(reg(VM::kStatus) & kNeedsReset, 0u);
  EXPECT_NE(m_mmio->error().find("loops"), std::string::npos) << m_mmio->error();
  EXPECT_EQ(reg(VM::kInterruptStatus), VM::kInterruptConfigChange);
  EXPECT_TRUE(m_probe.level());
  // The driver cannot clear the bit; the device serves nothing until reset.
  set(VM::kStatus, kAck | kDrv | kFeaturesOk | kDriverOk);
  EXPECT_NE(reg(VM::kStatus) & kNeedsReset, 0u);
  make_available(0);
  EXPECT_EQ(used_idx(), 0);
  set(VM::kStatus, 0);
  EXPECT_EQ(reg(VM::kStatus), 0u);
  EXPECT_TRUE(m_mmio->error().empty());
}

TEST_F(VirtioBlkTest, OutOfRangeAddressesAndIndicesNeedReset) {
  struct Case {
    const char* what;
    void (*prepare)(VirtioBlkTest&);
    const char* message;
  };
  const Case cases[] = {
      {"data buffer outside RAM",
       [](VirtioBlkTest& t) {
         t.m_ram->put(kHeader, VirtioBlk::kTypeIn, 4);
         t.descriptor(kDesc, 0, kHeader, 16, kNext, 1);
         t.descriptor(kDesc, 1, kOutside, 512, kNext | kWrite, 2);
         t.descriptor(kDesc, 2, kStatusByte, 1, kWrite);
         t.make_available(0);
       },
       "not reachable"},
      {"next index beyond the table",
       [](VirtioBlkTest& t) {
         t.descriptor(kDesc, 0, kHeader, 16, kNext, kNum);
         t.make_available(0);
       },
       "out of range"},
      {"head index beyond the table", [](VirtioBlkTest& t) { t.make_available(kNum + 3); },
       "head index"},
      {"available index far ahead",
       [](VirtioBlkTest& t) {
         t.m_ram->put(kAvail + 2, 100, 2);
         t.set(VM::kQueueNotify, 0);
         settle();
       },
       "more than the queue size"},
      {"readable after writable",
       [](VirtioBlkTest& t) {
         t.descriptor(kDesc, 0, kStatusByte, 1, kNext | kWrite, 1);
         t.descriptor(kDesc, 1, kHeader, 16, 0);
         t.make_available(0);
       },
       "device-readable buffer after"},
      {"no status byte",
       [](VirtioBlkTest& t) {
         t.descriptor(kDesc, 0, kHeader, 16, 0);
         t.make_available(0);
       },
       "status byte"},
      {"buffer wrapping the address space",
       [](VirtioBlkTest& t) {
         t.descriptor(kDesc, 0, ~uint64_t{0} - 4, 16, 0);
         t.make_available(0);
       },
       "wraps"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    m_avail_idx = 0;
    build();  // fresh RAM and device
    start();
    c.prepare(*this);
    EXPECT_EQ(used_idx(), 0);
    EXPECT_NE(reg(VM::kStatus) & kNeedsReset, 0u);
    EXPECT_NE(m_mmio->error().find(c.message), std::string::npos) << m_mmio->error();
  }
}

// Reads of guest memory use DMI; writes go through b_transport, where a
// memory can see them (code caches must hear of DMA into code pages).
TEST_F(VirtioBlkTest, DmiIsUsedForReadsAndDroppedOnInvalidation) {
  build();
  start();
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 0, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->read_transports, 0u);  // every read went through the DMI pointer
  EXPECT_GT(m_ram->transports, 0u);       // the data, the status byte, the used ring
  EXPECT_EQ(m_ram->dmi_requests, 1u);
  EXPECT_EQ(m_ram->bytes[kData + 5], pattern(0, 5));
  // Invalidated and refused from now on: reads fall back to b_transport.
  m_ram->dmi_enabled = false;
  m_ram->invalidate_all();
  EXPECT_EQ(request(VirtioBlk::kTypeIn, 1, 512, true).status, VirtioBlk::kStatusOk);
  EXPECT_EQ(m_ram->dmi_requests, 2u);  // asked again once, refusal remembered
  EXPECT_GT(m_ram->read_transports, 0u);
  EXPECT_EQ(m_ram->bytes[kData + 5], pattern(1, 5));
}

TEST_F(VirtioBlkTest, AnEmptySlotReportsDeviceIdZero) {
  fresh_systemc_context();
  VirtioMmio slot("slot", nullptr);
  TlmDriver driver("driver");
  GuestRam ram("ram");
  driver.socket.bind(slot.socket);
  slot.dma.bind(ram.socket);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_EQ(driver.read32(VM::kMagicValue), 0x74726976u);
  EXPECT_EQ(driver.read32(VM::kVersion), 2u);
  EXPECT_EQ(driver.read32(VM::kDeviceId), 0u);
  EXPECT_EQ(driver.read32(VM::kDeviceFeatures), 0u);
  EXPECT_EQ(driver.read32(VM::kQueueNumMax), 0u);
  driver.write32(VM::kStatus, kAck | kDrv);
  driver.write32(VM::kStatus, kAck | kDrv | kFeaturesOk);
  EXPECT_EQ(driver.read32(VM::kStatus), kAck | kDrv);
}

TEST(DriveSpec, ParsesQemuStyleOptions) {
  EXPECT_TRUE(parse_drive_spec("").file.empty());
  EXPECT_TRUE(parse_drive_spec("none").file.empty());
  DriveSpec plain = parse_drive_spec("disk.img");
  EXPECT_EQ(plain.file, "disk.img");
  EXPECT_FALSE(plain.snapshot);
  EXPECT_FALSE(plain.read_only);
  DriveSpec full = parse_drive_spec("file=a=b.img,snapshot=on,readonly=off,serial=xyz,format=raw");
  EXPECT_EQ(full.file, "a=b.img");
  EXPECT_TRUE(full.snapshot);
  EXPECT_FALSE(full.read_only);
  EXPECT_EQ(full.serial, "xyz");
  EXPECT_EQ(parse_drive_spec("odd,,name.img,readonly=on").file, "odd,name.img");
  EXPECT_TRUE(parse_drive_spec("x.img,readonly=on").read_only);
  EXPECT_THROW(parse_drive_spec("x.img,bogus=1"), std::invalid_argument);
  EXPECT_THROW(parse_drive_spec("x.img,snapshot=maybe"), std::invalid_argument);
  EXPECT_THROW(parse_drive_spec("x.img,format=qcow2"), std::invalid_argument);
  EXPECT_THROW(parse_drive_spec("snapshot=on"), std::invalid_argument);  // no file
}

TEST(DiskImage, AMissingImageIsOneErrorNamingTheFile) {
  DriveSpec spec;
  spec.file = "/nonexistent/silica/disk.img";
  try {
    DiskImage image(spec);
    FAIL() << "opened a missing file";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("/nonexistent/silica/disk.img"), std::string::npos) << message;
    EXPECT_NE(message.find("No such file"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace silica::test
