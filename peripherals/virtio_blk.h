// virtio block device (device ID 2, VIRTIO 1.2 section 5.2) behind a
// VirtioMmio transport, backed by a raw disk image.
//
// One request queue of up to 256 entries. Offered features: SEG_MAX (queue
// size - 2, as QEMU), BLK_SIZE (512), FLUSH, and RO when the drive is
// read-only. Requests: IN (0), OUT (1), FLUSH (4), GET_ID (8, the serial, 20
// bytes, zero-padded); any other type gets VIRTIO_BLK_S_UNSUPP. A request
// whose data is not whole sectors, or runs past the capacity, or writes a
// read-only drive, gets VIRTIO_BLK_S_IOERR, as does a failing host file.
// Without FLUSH negotiated the drive is write-through: each OUT reaches the
// disk (fdatasync) before it completes. A request without a 16-byte header or
// without a status byte cannot be answered and makes the transport set
// DEVICE_NEEDS_RESET.
//
// The image is read and written with pread/pwrite, never loaded whole, so it
// may be larger than host memory. With snapshot=on the file is opened
// read-only and never changes: written sectors are kept in memory and read
// back from there (copy-on-write). A partial last sector of the file is not
// part of the disk.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "peripherals/virtio_mmio.h"

namespace silica {

// What `--drive` and the `drive=` component parameter say, QEMU-style:
//   FILE[,snapshot=on|off][,readonly=on|off][,serial=TEXT][,format=raw]
// `file=FILE` may replace the leading FILE; ",," is a literal comma in a
// value. An empty text or "none" means no drive.
struct DriveSpec {
  std::string file;
  bool snapshot = false;
  bool read_only = false;
  std::string serial;
};

// Throws std::invalid_argument naming the offending option.
DriveSpec parse_drive_spec(std::string_view text);

// A raw disk image in 512-byte sectors.
class DiskImage {
 public:
  static constexpr uint64_t kSectorSize = 512;

  // Opens the file (read-only for snapshot or read_only drives). Throws
  // std::runtime_error naming the file when it cannot be opened.
  explicit DiskImage(const DriveSpec& spec);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  const std::string& path() const { return m_path; }
  uint64_t sectors() const { return m_sectors; }
  bool read_only() const { return m_read_only; }
  bool snapshot() const { return m_snapshot; }
  // Sectors held in memory by a snapshot drive.
  size_t overlay_sectors() const { return m_overlay.size(); }

  // `count` sectors from `sector`; the range must lie inside the disk.
  // False on a host I/O error (or a write to a read-only drive).
  bool read(uint64_t sector, void* data, uint64_t count);
  bool write(uint64_t sector, const void* data, uint64_t count);
  // Makes written data durable (a no-op for snapshot drives).
  bool flush();

 private:
  using Sector = std::array<unsigned char, kSectorSize>;

  std::string m_path;
  int m_fd = -1;
  uint64_t m_sectors = 0;
  bool m_read_only = false;
  bool m_snapshot = false;
  std::unordered_map<uint64_t, Sector> m_overlay;  // snapshot: written sectors
};

class VirtioBlk : public VirtioDevice {
 public:
  static constexpr uint32_t kDeviceId = 2;
  static constexpr uint16_t kQueueSize = 256;
  static constexpr unsigned kIdBytes = 20;  // VIRTIO_BLK_ID_BYTES

  // Feature bits (VIRTIO 1.2 section 5.2.3).
  static constexpr unsigned kFeatureSegMax = 2;
  static constexpr unsigned kFeatureRo = 5;
  static constexpr unsigned kFeatureBlkSize = 6;
  static constexpr unsigned kFeatureFlush = 9;

  // Request types and status values (section 5.2.6).
  static constexpr uint32_t kTypeIn = 0;
  static constexpr uint32_t kTypeOut = 1;
  static constexpr uint32_t kTypeFlush = 4;
  static constexpr uint32_t kTypeGetId = 8;
  static constexpr uint8_t kStatusOk = 0;
  static constexpr uint8_t kStatusIoErr = 1;
  static constexpr uint8_t kStatusUnsupp = 2;

  // `image` must outlive the device. `serial` beyond 20 bytes is cut.
  VirtioBlk(DiskImage& image, std::string serial);

  uint32_t device_id() const override { return kDeviceId; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 1; }
  uint16_t queue_size_max() const override { return kQueueSize; }
  void declare_config(RegisterBank& bank, uint64_t base) override;
  void set_driver_features(uint64_t features) override { m_driver_features = features; }
  bool handle(unsigned queue, VirtqChain& chain, std::string& why) override;
  void reset() override { m_driver_features = 0; }

 private:
  uint8_t transfer_in(VirtqChain& chain, uint64_t sector, uint64_t bytes);
  uint8_t transfer_out(VirtqChain& chain, uint64_t sector, uint64_t bytes);
  uint8_t get_id(VirtqChain& chain, uint64_t room);
  bool in_range(uint64_t sector, uint64_t bytes) const;

  DiskImage& m_image;
  std::string m_serial;
  uint64_t m_driver_features = 0;
};

}  // namespace silica
