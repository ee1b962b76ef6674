// Adapter between the platform builder and the virtio models: the transport,
// and behind it the device and its backing store, owned together.
#include "platforms/virtio_components.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "peripherals/virtio_blk.h"
#include "peripherals/virtio_mmio.h"
#include "platforms/component.h"

namespace silica {
namespace {

class VirtioMmioComponent : public Component {
 public:
  // Without a drive the slot is empty. Opening the image may throw
  // std::runtime_error naming the file; the builder reports it with the line.
  VirtioMmioComponent(const std::string& name, const std::optional<DriveSpec>& drive) {
    if (drive) {
      m_image = std::make_unique<DiskImage>(*drive);
      m_device = std::make_unique<VirtioBlk>(*m_image, drive->serial);
    }
    m_transport = std::make_unique<VirtioMmio>(name.c_str(), m_device.get());
  }
  tlm::tlm_target_socket<>* target_socket(std::string_view name) override {
    return name.empty() || name == "socket" ? &m_transport->socket : nullptr;
  }
  tlm::tlm_initiator_socket<>* initiator_socket(std::string_view name) override {
    return name.empty() || name == "dma" ? &m_transport->dma : nullptr;
  }
  IrqLine* irq_output(std::string_view name) override {
    return name.empty() || name == "irq" ? &m_transport->irq : nullptr;
  }
  // A snapshot drive's written sectors survive a machine reset, as on QEMU:
  // the snapshot lasts the whole run.
  void reset() override { m_transport->reset(); }

 private:
  // Declared in the order they depend on each other; destroyed in reverse.
  std::unique_ptr<DiskImage> m_image;
  std::unique_ptr<VirtioDevice> m_device;
  std::unique_ptr<VirtioMmio> m_transport;
};

std::unique_ptr<Component> make_virtio_mmio(const std::string& name, const ComponentConfig& config,
                                            BuildContext& /*context*/) {
  const std::string device = config.get_string("device", "none");
  const std::string drive_text = config.get_string("drive", "");
  if (device != "blk" && device != "none") {
    throw ConfigError(config.where() + ": parameter 'device': '" + device +
                      "' is not a virtio device type (known: blk, none)");
  }
  std::optional<DriveSpec> drive;
  try {
    DriveSpec spec = parse_drive_spec(drive_text);
    if (!spec.file.empty()) drive = std::move(spec);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(config.where() + ": parameter 'drive': " + e.what());
  }
  if (drive && device != "blk") {
    throw ConfigError(config.where() + ": parameter 'drive': needs device=blk");
  }
  return std::make_unique<VirtioMmioComponent>(name, drive);
}

}  // namespace

void register_virtio_components() {
  ComponentRegistry::instance().add("virtio_mmio", make_virtio_mmio);
}

}  // namespace silica
