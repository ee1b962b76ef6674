#include "peripherals/virtio_mmio.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "interconnect/tlm_helpers.h"

namespace silica {

namespace {

constexpr uint16_t kDescNext = 1;
constexpr uint16_t kDescWrite = 2;
constexpr uint16_t kDescIndirect = 4;
constexpr uint16_t kAvailNoInterrupt = 1;
constexpr uint64_t kDescriptorSize = 16;
constexpr uint64_t kUsedElementSize = 8;
// b_transport chunk: for writes, and reads where the bus grants no DMI.
constexpr uint64_t kTransportChunk = 64 * 1024;

uint64_t load_le(const unsigned char* bytes, unsigned size) {
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint64_t{bytes[i]} << (8 * i);
  return value;
}

void store_le(unsigned char* bytes, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
}

bool is_power_of_two(uint32_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}

}  // namespace

// ---------------------------------------------------------------- VirtqChain

bool VirtqChain::read(uint64_t offset, void* data, uint64_t length) {
  return transfer(false, m_readable, m_readable_bytes, offset, static_cast<unsigned char*>(data),
                  length);
}

bool VirtqChain::write(uint64_t offset, const void* data, uint64_t length) {
  auto* bytes = const_cast<unsigned char*>(static_cast<const unsigned char*>(data));
  if (!transfer(true, m_writable, m_writable_bytes, offset, bytes, length)) return false;
  m_bytes_written += length;
  return true;
}

bool VirtqChain::transfer(bool to_guest, const std::vector<Segment>& segments, uint64_t total,
                          uint64_t offset, unsigned char* data, uint64_t length) {
  if (m_dma_failed) return false;
  if (offset > total || length > total - offset) return false;
  for (const Segment& segment : segments) {
    if (length == 0) break;
    if (offset >= segment.length) {
      offset -= segment.length;
      continue;
    }
    const uint64_t piece = std::min<uint64_t>(length, segment.length - offset);
    const uint64_t address = segment.address + offset;
    const bool ok = to_guest ? m_transport->dma_write(address, data, piece)
                             : m_transport->dma_read(address, data, piece);
    if (!ok) {
      m_dma_failed = true;
      m_dma_fault_address = address;
      return false;
    }
    data += piece;
    length -= piece;
    offset = 0;
  }
  return true;
}

// ---------------------------------------------------------------- VirtioMmio

VirtioMmio::VirtioMmio(const sc_core::sc_module_name& name, VirtioDevice* device)
    : sc_core::sc_module(name),
      socket("socket"),
      dma("dma"),
      m_device(device),
      m_queues(device != nullptr ? device->num_queues() : 0),
      m_pending(m_queues.size(), false) {
  SC_HAS_PROCESS(VirtioMmio);
  socket.register_b_transport(this, &VirtioMmio::b_transport);
  socket.register_transport_dbg(this, &VirtioMmio::transport_dbg);
  dma.register_invalidate_direct_mem_ptr(this, &VirtioMmio::invalidate_direct_mem_ptr);
  declare_registers();

  SC_METHOD(process_pending);
  sensitive << m_notify_event;
  dont_initialize();
}

void VirtioMmio::declare_registers() {
  m_regs.add("MagicValue", kMagicValue, 4).read_only().reset_value(kMagic);
  m_regs.add("Version", kVersion, 4).read_only().reset_value(2);
  m_regs.add("DeviceID", kDeviceId, 4)
      .read_only()
      .reset_value(m_device ? m_device->device_id() : 0);
  m_regs.add("VendorID", kVendorId, 4).read_only().reset_value(kVendorQemu);
  m_regs.add("DeviceFeatures", kDeviceFeatures, 4).read_only().on_read([this]() -> uint64_t {
    if (m_device_features_sel > 1) return 0;
    return (offered_features() >> (32 * m_device_features_sel)) & 0xffffffff;
  });
  m_regs.add("DeviceFeaturesSel", kDeviceFeaturesSel, 4).write_only().on_write([this](uint64_t v) {
    m_device_features_sel = static_cast<uint32_t>(v);
  });
  m_regs.add("DriverFeatures", kDriverFeatures, 4).write_only().on_write([this](uint64_t v) {
    if (m_driver_features_sel > 1) return;  // no features beyond bit 63
    const unsigned shift = 32 * m_driver_features_sel;
    m_driver_features = (m_driver_features & ~(uint64_t{0xffffffff} << shift)) | (v << shift);
  });
  m_regs.add("DriverFeaturesSel", kDriverFeaturesSel, 4).write_only().on_write([this](uint64_t v) {
    m_driver_features_sel = static_cast<uint32_t>(v);
  });
  m_regs.add("QueueSel", kQueueSel, 4).write_only().on_write([this](uint64_t v) {
    m_queue_sel = static_cast<uint32_t>(v);
  });
  m_regs.add("QueueNumMax", kQueueNumMax, 4).read_only().on_read([this]() -> uint64_t {
    return selected_queue() != nullptr ? m_device->queue_size_max() : 0;
  });
  m_regs.add("QueueNum", kQueueNum, 4).write_only().on_write([this](uint64_t v) {
    Queue* queue = selected_queue();
    if (queue != nullptr && !queue->ready) queue->num = static_cast<uint32_t>(v);
  });
  m_regs.add("QueueReady", kQueueReady, 4)
      .on_read([this]() -> uint64_t {
        const Queue* queue = selected_queue();
        return queue != nullptr && queue->ready ? 1 : 0;
      })
      .on_write([this](uint64_t v) { write_queue_ready((v & 1) != 0); });
  m_regs.add("QueueNotify", kQueueNotify, 4).write_only().on_write([this](uint64_t v) {
    if (v >= m_queues.size()) return;
    m_pending[v] = true;
    // Served at the simulated time of the write, once the writer yields.
    m_notify_event.notify(m_access_delay);
  });
  m_regs.add("InterruptStatus", kInterruptStatus, 4).read_only().on_read([this]() -> uint64_t {
    return m_interrupt_status;
  });
  m_regs.add("InterruptACK", kInterruptAck, 4).write_only().on_write([this](uint64_t v) {
    m_interrupt_status &= ~static_cast<uint32_t>(v);
    update_irq();
  });
  m_regs.add("Status", kStatus, 4)
      .on_read([this]() -> uint64_t { return m_status; })
      .on_write([this](uint64_t v) { write_status(static_cast<uint32_t>(v)); });
  declare_queue_address("QueueDescLow", kQueueDescLow, &Queue::desc, 0);
  declare_queue_address("QueueDescHigh", kQueueDescHigh, &Queue::desc, 32);
  declare_queue_address("QueueDriverLow", kQueueDriverLow, &Queue::driver, 0);
  declare_queue_address("QueueDriverHigh", kQueueDriverHigh, &Queue::driver, 32);
  declare_queue_address("QueueDeviceLow", kQueueDeviceLow, &Queue::device, 0);
  declare_queue_address("QueueDeviceHigh", kQueueDeviceHigh, &Queue::device, 32);
  // No shared memory regions: every region reads as length and base -1.
  m_regs.add("SHMSel", kShmSel, 4).write_only();
  m_regs.add("SHMLenLow", kShmLenLow, 4).read_only().reset_value(0xffffffff);
  m_regs.add("SHMLenHigh", kShmLenHigh, 4).read_only().reset_value(0xffffffff);
  m_regs.add("SHMBaseLow", kShmBaseLow, 4).read_only().reset_value(0xffffffff);
  m_regs.add("SHMBaseHigh", kShmBaseHigh, 4).read_only().reset_value(0xffffffff);
  // The devices modelled so far never change their configuration while a
  // driver runs, so the generation stays 0.
  m_regs.add("ConfigGeneration", kConfigGeneration, 4).read_only();
  if (m_device != nullptr) m_device->declare_config(m_regs, kConfig);
}

void VirtioMmio::declare_queue_address(const char* name, uint64_t offset, uint64_t Queue::*field,
                                       unsigned shift) {
  m_regs.add(name, offset, 4).write_only().on_write([this, field, shift](uint64_t v) {
    Queue* queue = selected_queue();
    if (queue == nullptr || queue->ready) return;
    uint64_t& address = queue->*field;
    address = (address & ~(uint64_t{0xffffffff} << shift)) | (v << shift);
  });
}

VirtioMmio::Queue* VirtioMmio::selected_queue() {
  return m_queue_sel < m_queues.size() ? &m_queues[m_queue_sel] : nullptr;
}

void VirtioMmio::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  m_access_delay = delay;
  m_regs.access(trans);
}

unsigned VirtioMmio::transport_dbg(tlm::tlm_generic_payload& trans) {
  m_access_delay = sc_core::SC_ZERO_TIME;
  return m_regs.debug_access(trans);
}

void VirtioMmio::reset() {
  m_status = 0;
  m_interrupt_status = 0;
  m_device_features_sel = 0;
  m_driver_features_sel = 0;
  m_queue_sel = 0;
  m_driver_features = 0;
  m_error.clear();
  std::fill(m_queues.begin(), m_queues.end(), Queue{});
  std::fill(m_pending.begin(), m_pending.end(), false);
  m_notify_event.cancel();
  m_regs.reset();
  if (m_device != nullptr) m_device->reset();
  update_irq();
}

uint64_t VirtioMmio::offered_features() const {
  if (m_device == nullptr) return 0;
  return m_device->device_features() | uint64_t{1} << virtio_feature::kVersion1 |
         uint64_t{1} << virtio_feature::kIndirectDesc | uint64_t{1} << virtio_feature::kEventIdx;
}

bool VirtioMmio::features_acceptable(uint64_t features, std::string& why) const {
  if ((features & ~offered_features()) != 0) {
    why = "the driver accepted features the device does not offer (" +
          hex(features & ~offered_features()) + ")";
    return false;
  }
  if ((features >> virtio_feature::kVersion1 & 1) == 0) {
    why = "the driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not supported)";
    return false;
  }
  return true;
}

void VirtioMmio::write_status(uint32_t value) {
  if (value == 0) {
    reset();
    return;
  }
  // DEVICE_NEEDS_RESET is the device's to set; only a reset clears it.
  uint32_t next =
      (value & ~virtio_status::kDeviceNeedsReset) | (m_status & virtio_status::kDeviceNeedsReset);
  if ((next & virtio_status::kFeaturesOk) != 0 && (m_status & virtio_status::kFeaturesOk) == 0) {
    std::string why;
    if (m_device == nullptr || !features_acceptable(m_driver_features, why)) {
      // The driver reads Status back and sees FEATURES_OK refused.
      next &= ~virtio_status::kFeaturesOk;
      if (m_device != nullptr) SC_REPORT_INFO(name(), ("FEATURES_OK refused: " + why).c_str());
    } else {
      m_device->set_driver_features(m_driver_features);
    }
  }
  const bool driver_ok_now =
      (next & virtio_status::kDriverOk) != 0 && (m_status & virtio_status::kDriverOk) == 0;
  m_status = next;
  if (driver_ok_now && !m_queues.empty()) {
    // Buffers made available before DRIVER_OK are served now.
    std::fill(m_pending.begin(), m_pending.end(), true);
    m_notify_event.notify(m_access_delay);
  }
}

void VirtioMmio::write_queue_ready(bool ready) {
  Queue* queue = selected_queue();
  if (queue == nullptr) return;
  if (!ready) {
    queue->ready = false;
    return;
  }
  if (queue->ready) return;
  const std::string which = "queue " + std::to_string(m_queue_sel) + ": ";
  if (!is_power_of_two(queue->num) || queue->num > m_device->queue_size_max()) {
    device_error(which + "QueueNum " + std::to_string(queue->num) +
                 " is not a power of two up to QueueNumMax " +
                 std::to_string(m_device->queue_size_max()));
    return;
  }
  // Alignments of the split virtqueue's parts (VIRTIO 1.2 section 2.7).
  if (queue->desc % 16 != 0 || queue->driver % 2 != 0 || queue->device % 4 != 0) {
    device_error(which + "misaligned descriptor table, available or used ring (" +
                 hex(queue->desc) + ", " + hex(queue->driver) + ", " + hex(queue->device) + ")");
    return;
  }
  queue->ready = true;
  queue->last_avail = 0;
  queue->used_idx = 0;
}

void VirtioMmio::device_error(const std::string& why) {
  if ((m_status & virtio_status::kDeviceNeedsReset) != 0) return;  // reported already
  m_error = why;
  m_status |= virtio_status::kDeviceNeedsReset;
  SC_REPORT_WARNING(name(), ("device needs reset: " + why).c_str());
  if ((m_status & virtio_status::kDriverOk) != 0) {
    m_interrupt_status |= kInterruptConfigChange;
    update_irq();
  }
}

// ---------------------------------------------------------------- queues

void VirtioMmio::process_pending() {
  for (unsigned i = 0; i < m_pending.size(); ++i) {
    if (!m_pending[i]) continue;
    m_pending[i] = false;
    process_queue(i);
  }
}

void VirtioMmio::process_queue(unsigned index) {
  constexpr uint32_t kLive = virtio_status::kDriverOk | virtio_status::kFeaturesOk;
  Queue& queue = m_queues[index];
  if (!queue.ready || (m_status & kLive) != kLive ||
      (m_status & virtio_status::kDeviceNeedsReset) != 0) {
    return;
  }
  const std::string which = "queue " + std::to_string(index) + ": ";
  const uint16_t old_used = queue.used_idx;
  bool used_any = false;
  for (;;) {
    uint16_t avail_idx = 0;
    if (!read_u16(queue.driver + 2, avail_idx)) {
      device_error(which + "available ring at " + hex(queue.driver) + " is not readable");
      return;
    }
    const uint16_t waiting = static_cast<uint16_t>(avail_idx - queue.last_avail);
    if (waiting == 0) break;
    if (waiting > queue.num) {
      device_error(which + "available index moved by " + std::to_string(waiting) +
                   ", more than the queue size " + std::to_string(queue.num));
      return;
    }
    uint16_t head = 0;
    if (!read_u16(queue.driver + 4 + 2 * (queue.last_avail % queue.num), head)) {
      device_error(which + "available ring at " + hex(queue.driver) + " is not readable");
      return;
    }
    VirtqChain chain(*this);
    std::string why;
    if (!walk_chain(queue, head, chain, why)) {
      device_error(which + "descriptor chain " + std::to_string(head) + ": " + why);
      return;
    }
    const bool handled = m_device->handle(index, chain, why);
    if (chain.dma_failed()) {
      device_error(which + "descriptor chain " + std::to_string(head) + ": buffer at " +
                   hex(chain.dma_fault_address()) + " is not reachable");
      return;
    }
    if (!handled) {
      device_error(which + "descriptor chain " + std::to_string(head) + ": " + why);
      return;
    }
    const uint64_t element = queue.device + 4 + kUsedElementSize * (queue.used_idx % queue.num);
    const uint32_t length = static_cast<uint32_t>(
        std::min<uint64_t>(chain.bytes_written(), std::numeric_limits<uint32_t>::max()));
    ++queue.used_idx;
    ++queue.last_avail;
    // The element first, then the index that publishes it.
    if (!write_u32(element, head) || !write_u32(element + 4, length) ||
        !write_u16(queue.device + 2, queue.used_idx)) {
      device_error(which + "used ring at " + hex(queue.device) + " is not writable");
      return;
    }
    used_any = true;
  }
  if (negotiated(virtio_feature::kEventIdx)) {
    // avail_event: every buffer up to here is consumed; notify for the next one.
    if (!write_u16(queue.device + 4 + kUsedElementSize * queue.num, queue.last_avail)) {
      device_error(which + "used ring at " + hex(queue.device) + " is not writable");
      return;
    }
  }
  if (used_any && used_buffer_interrupt_wanted(queue, old_used)) {
    m_interrupt_status |= kInterruptUsedBuffer;
    update_irq();
  }
}

bool VirtioMmio::used_buffer_interrupt_wanted(const Queue& queue, uint16_t old_used) {
  if (negotiated(virtio_feature::kEventIdx)) {
    // used_event follows the available ring. Interrupt when the used index
    // passed it in this batch (VIRTIO 1.2 section 2.7.10).
    uint16_t used_event = 0;
    if (!read_u16(queue.driver + 4 + 2 * queue.num, used_event)) return true;
    return static_cast<uint16_t>(queue.used_idx - used_event - 1) <
           static_cast<uint16_t>(queue.used_idx - old_used);
  }
  uint16_t flags = 0;
  if (!read_u16(queue.driver, flags)) return true;
  return (flags & kAvailNoInterrupt) == 0;
}

bool VirtioMmio::read_descriptor(uint64_t table, uint32_t index, Descriptor& out) {
  unsigned char bytes[kDescriptorSize];
  if (!dma_read(table + kDescriptorSize * index, bytes, sizeof bytes)) return false;
  out.address = load_le(bytes, 8);
  out.length = static_cast<uint32_t>(load_le(bytes + 8, 4));
  out.flags = static_cast<uint16_t>(load_le(bytes + 12, 2));
  out.next = static_cast<uint16_t>(load_le(bytes + 14, 2));
  return true;
}

bool VirtioMmio::walk_chain(const Queue& queue, uint16_t head, VirtqChain& chain,
                            std::string& why) {
  if (head >= queue.num) {
    why = "head index out of range (queue size " + std::to_string(queue.num) + ")";
    return false;
  }
  uint64_t table = queue.desc;
  uint32_t table_size = queue.num;
  uint32_t index = head;
  uint32_t visited = 0;  // in the current table: more than its size means a loop
  bool indirect = false;
  for (;;) {
    Descriptor desc{};
    if (!read_descriptor(table, index, desc)) {
      why = "descriptor table at " + hex(table) + " is not readable";
      return false;
    }
    if (++visited > table_size) {
      why = "the chain loops or is longer than its table (" + std::to_string(table_size) + ")";
      return false;
    }
    if ((desc.flags & kDescIndirect) != 0) {
      if (!negotiated(virtio_feature::kIndirectDesc)) {
        why = "indirect descriptor without VIRTIO_F_INDIRECT_DESC";
        return false;
      }
      if (indirect) {
        why = "indirect descriptor inside an indirect table";
        return false;
      }
      if ((desc.flags & kDescNext) != 0) {
        why = "indirect descriptor with the NEXT flag";
        return false;
      }
      if (desc.length == 0 || desc.length % kDescriptorSize != 0 ||
          desc.length / kDescriptorSize > kMaxIndirectDescriptors) {
        why = "indirect table length " + std::to_string(desc.length) +
              " is not a multiple of 16 up to " +
              std::to_string(kMaxIndirectDescriptors * kDescriptorSize);
        return false;
      }
      indirect = true;
      table = desc.address;
      table_size = desc.length / kDescriptorSize;
      index = 0;
      visited = 0;
      continue;
    }
    if (desc.length != 0 && desc.length - 1 > std::numeric_limits<uint64_t>::max() - desc.address) {
      why = "buffer at " + hex(desc.address) + " wraps around the address space";
      return false;
    }
    if ((desc.flags & kDescWrite) != 0) {
      chain.m_writable.push_back({desc.address, desc.length});
      chain.m_writable_bytes += desc.length;
    } else {
      if (!chain.m_writable.empty()) {
        why = "device-readable buffer after a device-writable one";
        return false;
      }
      chain.m_readable.push_back({desc.address, desc.length});
      chain.m_readable_bytes += desc.length;
    }
    if ((desc.flags & kDescNext) == 0) return true;
    index = desc.next;
    if (index >= table_size) {
      why = "next index " + std::to_string(index) + " out of range (table size " +
            std::to_string(table_size) + ")";
      return false;
    }
  }
}

// ---------------------------------------------------------------- DMA

bool VirtioMmio::dma_read(uint64_t address, void* data, uint64_t length) {
  return dma_access(tlm::TLM_READ_COMMAND, address, static_cast<unsigned char*>(data), length);
}

bool VirtioMmio::dma_write(uint64_t address, const void* data, uint64_t length) {
  auto* bytes = const_cast<unsigned char*>(static_cast<const unsigned char*>(data));
  return dma_access(tlm::TLM_WRITE_COMMAND, address, bytes, length);
}

bool VirtioMmio::dma_access(tlm::tlm_command command, uint64_t address, unsigned char* data,
                            uint64_t length) {
  if (length == 0) return true;
  if (length - 1 > std::numeric_limits<uint64_t>::max() - address) return false;
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  while (length > 0) {
    // Writes always go through the bus: the memory then tells the harts'
    // code caches (a disk read may replace code they decoded).
    const tlm::tlm_dmi* dmi = write ? nullptr : dmi_for(address);
    if (dmi != nullptr && dmi->is_read_allowed()) {
      const uint64_t room = dmi->get_end_address() - address;  // bytes after `address`
      const uint64_t piece = room >= length - 1 ? length : room + 1;
      const unsigned char* host = dmi->get_dmi_ptr() + (address - dmi->get_start_address());
      std::memcpy(data, host, piece);
      address += piece;
      data += piece;
      length -= piece;
      continue;
    }
    const auto piece = static_cast<unsigned>(std::min(length, kTransportChunk));
    tlm::tlm_generic_payload trans;
    prepare_payload(trans, command, address, data, piece);
    // Loosely timed: the bus targets never wait(), so this is legal from the
    // method that serves the queues. Their latency is not modelled here.
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    dma->b_transport(trans, delay);
    if (!trans.is_response_ok()) return false;
    address += piece;
    data += piece;
    length -= piece;
  }
  return true;
}

const tlm::tlm_dmi* VirtioMmio::dmi_for(uint64_t address) {
  for (const tlm::tlm_dmi& dmi : m_dmi) {
    if (dmi.get_start_address() <= address && address <= dmi.get_end_address()) return &dmi;
  }
  tlm::tlm_generic_payload trans;
  prepare_payload(trans, tlm::TLM_READ_COMMAND, address, nullptr, 0);
  tlm::tlm_dmi dmi;
  const bool granted = dma->get_direct_mem_ptr(trans, dmi);
  if (dmi.get_start_address() > address || address > dmi.get_end_address()) return nullptr;
  if (!granted || dmi.get_dmi_ptr() == nullptr) {
    // Remember the refusal over its range: no question per access there.
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
  }
  m_dmi.push_back(dmi);
  return &m_dmi.back();
}

void VirtioMmio::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  std::erase_if(m_dmi, [&](const tlm::tlm_dmi& dmi) {
    return dmi.get_start_address() <= end && dmi.get_end_address() >= start;
  });
}

bool VirtioMmio::read_u16(uint64_t address, uint16_t& value) {
  unsigned char bytes[2];
  if (!dma_read(address, bytes, 2)) return false;
  value = static_cast<uint16_t>(load_le(bytes, 2));
  return true;
}

bool VirtioMmio::write_u16(uint64_t address, uint16_t value) {
  unsigned char bytes[2];
  store_le(bytes, value, 2);
  return dma_write(address, bytes, 2);
}

bool VirtioMmio::write_u32(uint64_t address, uint32_t value) {
  unsigned char bytes[4];
  store_le(bytes, value, 4);
  return dma_write(address, bytes, 4);
}

}  // namespace silica
