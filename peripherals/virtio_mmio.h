// virtio-mmio transport, version 2 ("modern", VIRTIO 1.1/1.2 section 4.2),
// with split virtqueues (section 2.7), as on QEMU's `virt` machine (eight
// slots from 0x10001000, 0x1000 apart, PLIC sources 1..8).
//
// Registers, all 32-bit (the register bank also serves narrower accesses):
//   0x000 MagicValue        R  "virt"
//   0x004 Version           R  2
//   0x008 DeviceID          R  0 for an empty slot (no device behind it)
//   0x00c VendorID          R  "QEMU", as QEMU's transport reports
//   0x010 DeviceFeatures    R  32 feature bits, bank chosen by DeviceFeaturesSel
//   0x014 DeviceFeaturesSel W
//   0x020 DriverFeatures    W  bank chosen by DriverFeaturesSel
//   0x024 DriverFeaturesSel W
//   0x030 QueueSel          W
//   0x034 QueueNumMax       R  0 when the selected queue does not exist
//   0x038 QueueNum          W
//   0x044 QueueReady        RW
//   0x050 QueueNotify       W  the queue index (no NOTIFICATION_DATA)
//   0x060 InterruptStatus   R  bit 0 used buffer, bit 1 configuration change
//   0x064 InterruptACK      W  clears the bits written
//   0x070 Status            RW writing 0 resets the device
//   0x080/0x084 QueueDescLow/High, 0x090/0x094 QueueDriverLow/High,
//   0x0a0/0x0a4 QueueDeviceLow/High   W  the selected queue's three areas
//   0x0ac SHMSel W; 0x0b0/0x0b4 SHMLen, 0x0b8/0x0bc SHMBase R: all ones (no
//         shared memory regions)
//   0x0fc ConfigGeneration  R
//   0x100+ device configuration space, declared by the device
// Reads of write-only registers return 0 (as on QEMU); other offsets are TLM
// address errors. Queue registers are ignored while the selected queue is
// ready, as the driver must not change a live queue.
//
// Offered transport features: VIRTIO_F_VERSION_1, VIRTIO_F_INDIRECT_DESC and
// VIRTIO_F_EVENT_IDX. Setting FEATURES_OK keeps the bit only if the driver's
// features are a subset of the offer and include VERSION_1.
//
// The device reaches guest memory through `dma`, an initiator socket the
// platform binds to the system bus: DMI where the target grants it (dropped
// again on invalidation), b_transport otherwise. A QueueNotify write schedules
// the queue's processing at the simulated time of the write; the device then
// serves every available descriptor chain, publishes each in the used ring
// and, unless the driver suppressed it (VIRTQ_AVAIL_F_NO_INTERRUPT, or the
// used_event index with EVENT_IDX), raises InterruptStatus bit 0. `irq` is
// high while InterruptStatus is not 0.
//
// A driver error the device cannot answer in-band (a chain that loops or is
// too long, an index or address outside the queue or outside mapped memory,
// a ring the bus cannot reach) is reported once as a SystemC warning and sets
// DEVICE_NEEDS_RESET; with DRIVER_OK set that also raises the configuration
// change interrupt. The device then serves nothing until it is reset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "interconnect/irq.h"
#include "peripherals/register_bank.h"

namespace silica {

class VirtioMmio;

// Feature bits common to every device (VIRTIO 1.2 section 6).
namespace virtio_feature {
constexpr unsigned kIndirectDesc = 28;
constexpr unsigned kEventIdx = 29;
constexpr unsigned kVersion1 = 32;
}  // namespace virtio_feature

// Device status bits (VIRTIO 1.2 section 2.1).
namespace virtio_status {
constexpr uint32_t kAcknowledge = 1;
constexpr uint32_t kDriver = 2;
constexpr uint32_t kDriverOk = 4;
constexpr uint32_t kFeaturesOk = 8;
constexpr uint32_t kDeviceNeedsReset = 64;
constexpr uint32_t kFailed = 128;
}  // namespace virtio_status

// One descriptor chain as the device sees it: the device-readable bytes and
// the device-writable bytes, each a byte stream over the guest buffers in
// chain order, whatever their framing (the device must not assume any).
class VirtqChain {
 public:
  struct Segment {
    uint64_t address;
    uint32_t length;
  };

  explicit VirtqChain(VirtioMmio& transport) : m_transport(&transport) {}

  uint64_t readable_bytes() const { return m_readable_bytes; }
  uint64_t writable_bytes() const { return m_writable_bytes; }
  const std::vector<Segment>& readable() const { return m_readable; }
  const std::vector<Segment>& writable() const { return m_writable; }

  // Copies `length` bytes from offset `offset` of the readable stream. False
  // when the range lies beyond the stream or guest memory is not reachable
  // (then dma_failed() is set).
  bool read(uint64_t offset, void* data, uint64_t length);
  // Writes into the writable stream; counts the bytes for the used length.
  bool write(uint64_t offset, const void* data, uint64_t length);

  // Bytes written so far: the used element's length.
  uint64_t bytes_written() const { return m_bytes_written; }
  bool dma_failed() const { return m_dma_failed; }
  uint64_t dma_fault_address() const { return m_dma_fault_address; }

 private:
  friend class VirtioMmio;
  bool transfer(bool to_guest, const std::vector<Segment>& segments, uint64_t total,
                uint64_t offset, unsigned char* data, uint64_t length);

  VirtioMmio* m_transport;
  std::vector<Segment> m_readable;
  std::vector<Segment> m_writable;
  uint64_t m_readable_bytes = 0;
  uint64_t m_writable_bytes = 0;
  uint64_t m_bytes_written = 0;
  bool m_dma_failed = false;
  uint64_t m_dma_fault_address = 0;
};

// What a device type (block, console, ...) implements behind the transport.
class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual uint32_t device_id() const = 0;
  // Device-type feature bits (0..23) the device offers; the transport adds its own.
  virtual uint64_t device_features() const = 0;
  virtual unsigned num_queues() const = 0;
  // QueueNumMax of every queue; a power of two.
  virtual uint16_t queue_size_max() const = 0;
  // Declares the device configuration space in `bank` at `base`.
  virtual void declare_config(RegisterBank& bank, uint64_t base) = 0;
  // The driver set FEATURES_OK with these features (already checked).
  virtual void set_driver_features(uint64_t features) = 0;
  // Serves one chain from queue `queue`. Errors the device reports in-band
  // (an I/O error status) return true; false means the request cannot be
  // answered at all, with the reason in `why`: the transport then sets
  // DEVICE_NEEDS_RESET. Guest memory faults need no check here: the transport
  // sees them in the chain.
  virtual bool handle(unsigned queue, VirtqChain& chain, std::string& why) = 0;
  // Device reset (Status written 0, or machine reset).
  virtual void reset() = 0;
};

class VirtioMmio : public sc_core::sc_module {
 public:
  static constexpr uint64_t kMagicValue = 0x000;
  static constexpr uint64_t kVersion = 0x004;
  static constexpr uint64_t kDeviceId = 0x008;
  static constexpr uint64_t kVendorId = 0x00c;
  static constexpr uint64_t kDeviceFeatures = 0x010;
  static constexpr uint64_t kDeviceFeaturesSel = 0x014;
  static constexpr uint64_t kDriverFeatures = 0x020;
  static constexpr uint64_t kDriverFeaturesSel = 0x024;
  static constexpr uint64_t kQueueSel = 0x030;
  static constexpr uint64_t kQueueNumMax = 0x034;
  static constexpr uint64_t kQueueNum = 0x038;
  static constexpr uint64_t kQueueReady = 0x044;
  static constexpr uint64_t kQueueNotify = 0x050;
  static constexpr uint64_t kInterruptStatus = 0x060;
  static constexpr uint64_t kInterruptAck = 0x064;
  static constexpr uint64_t kStatus = 0x070;
  static constexpr uint64_t kQueueDescLow = 0x080;
  static constexpr uint64_t kQueueDescHigh = 0x084;
  static constexpr uint64_t kQueueDriverLow = 0x090;
  static constexpr uint64_t kQueueDriverHigh = 0x094;
  static constexpr uint64_t kQueueDeviceLow = 0x0a0;
  static constexpr uint64_t kQueueDeviceHigh = 0x0a4;
  static constexpr uint64_t kShmSel = 0x0ac;
  static constexpr uint64_t kShmLenLow = 0x0b0;
  static constexpr uint64_t kShmLenHigh = 0x0b4;
  static constexpr uint64_t kShmBaseLow = 0x0b8;
  static constexpr uint64_t kShmBaseHigh = 0x0bc;
  static constexpr uint64_t kConfigGeneration = 0x0fc;
  static constexpr uint64_t kConfig = 0x100;

  static constexpr uint32_t kMagic = 0x74726976;       // "virt"
  static constexpr uint32_t kVendorQemu = 0x554d4551;  // "QEMU"
  static constexpr uint32_t kInterruptUsedBuffer = 1;
  static constexpr uint32_t kInterruptConfigChange = 2;
  // Descriptors in one indirect table, at most (QEMU's VIRTQUEUE_MAX_SIZE).
  static constexpr uint32_t kMaxIndirectDescriptors = 1024;

  tlm_utils::simple_target_socket<VirtioMmio> socket;
  tlm_utils::simple_initiator_socket<VirtioMmio> dma;
  IrqLine irq;

  // `device` may be nullptr: an empty slot (DeviceID 0). It must outlive this.
  VirtioMmio(const sc_core::sc_module_name& name, VirtioDevice* device);

  // Device reset, as when the driver writes 0 to Status; also the machine reset.
  void reset();

  uint32_t status() const { return m_status; }
  uint32_t interrupt_status() const { return m_interrupt_status; }
  // Why DEVICE_NEEDS_RESET was set; empty when it is not.
  const std::string& error() const { return m_error; }

  // Guest memory through `dma`. False when some byte is not reachable.
  bool dma_read(uint64_t address, void* data, uint64_t length);
  bool dma_write(uint64_t address, const void* data, uint64_t length);

 private:
  struct Queue {
    uint32_t num = 0;  // as written; checked when the queue is made ready
    bool ready = false;
    uint64_t desc = 0;
    uint64_t driver = 0;  // the available ring
    uint64_t device = 0;  // the used ring
    uint16_t last_avail = 0;
    uint16_t used_idx = 0;
  };
  struct Descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
  };

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void declare_registers();
  void declare_queue_address(const char* name, uint64_t offset, uint64_t Queue::*field,
                             unsigned shift);
  Queue* selected_queue();
  void write_status(uint32_t value);
  void write_queue_ready(bool ready);
  bool features_acceptable(uint64_t features, std::string& why) const;
  uint64_t offered_features() const;
  bool negotiated(unsigned bit) const { return (m_driver_features >> bit & 1) != 0; }

  void process_pending();
  void process_queue(unsigned index);
  bool walk_chain(const Queue& queue, uint16_t head, VirtqChain& chain, std::string& why);
  bool read_descriptor(uint64_t table, uint32_t index, Descriptor& out);
  bool used_buffer_interrupt_wanted(const Queue& queue, uint16_t old_used);
  void device_error(const std::string& why);
  void update_irq() { irq.set(m_interrupt_status != 0); }

  bool dma_access(tlm::tlm_command command, uint64_t address, unsigned char* data, uint64_t length);
  const tlm::tlm_dmi* dmi_for(uint64_t address);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  bool read_u16(uint64_t address, uint16_t& value);
  bool write_u16(uint64_t address, uint16_t value);
  bool write_u32(uint64_t address, uint32_t value);

  VirtioDevice* m_device;
  RegisterBank m_regs;
  std::vector<Queue> m_queues;
  uint32_t m_status = 0;
  uint32_t m_interrupt_status = 0;
  uint32_t m_device_features_sel = 0;
  uint32_t m_driver_features_sel = 0;
  uint32_t m_queue_sel = 0;
  uint64_t m_driver_features = 0;
  std::string m_error;
  // Queues notified and not yet served (bit per queue), and when to serve them.
  std::vector<bool> m_pending;
  sc_core::sc_event m_notify_event;
  // Annotated delay of the register access being served: callbacks have no payload.
  sc_core::sc_time m_access_delay;
  // DMI grants and refusals from the bus, by address range.
  std::vector<tlm::tlm_dmi> m_dmi;
};

}  // namespace silica
