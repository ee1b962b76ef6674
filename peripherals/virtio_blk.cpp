#include "peripherals/virtio_blk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace silica {

namespace {

// Sectors moved per host call and per DMA burst: requests of any size are
// streamed through a buffer of this size, never loaded whole.
constexpr uint64_t kChunkSectors = 128;
constexpr uint64_t kHeaderBytes = 16;

bool parse_switch(const std::string& key, const std::string& value) {
  if (value == "on" || value == "yes" || value == "true") return true;
  if (value == "off" || value == "no" || value == "false") return false;
  throw std::invalid_argument("drive option '" + key + "': expected on or off, not '" + value +
                              "'");
}

// Splits at single commas; ",," stands for a comma inside an item.
std::vector<std::string> split_options(std::string_view text) {
  std::vector<std::string> items(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != ',') {
      items.back() += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == ',') {
      items.back() += ',';
      ++i;
    } else {
      items.emplace_back();
    }
  }
  return items;
}

bool full_io(bool write, int fd, unsigned char* data, uint64_t length, uint64_t offset) {
  while (length > 0) {
    const ssize_t done = write ? ::pwrite(fd, data, length, static_cast<off_t>(offset))
                               : ::pread(fd, data, length, static_cast<off_t>(offset));
    if (done < 0 && errno == EINTR) continue;
    if (done < 0) return false;
    if (done == 0) {
      if (write) return false;
      std::memset(data, 0, length);  // the file shrank under us: reads as zeros
      return true;
    }
    data += done;
    length -= static_cast<uint64_t>(done);
    offset += static_cast<uint64_t>(done);
  }
  return true;
}

uint64_t load_le(const unsigned char* bytes, unsigned size) {
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= uint64_t{bytes[i]} << (8 * i);
  return value;
}

}  // namespace

// ---------------------------------------------------------------- DriveSpec

DriveSpec parse_drive_spec(std::string_view text) {
  DriveSpec spec;
  if (text.empty() || text == "none") return spec;
  const std::vector<std::string> items = split_options(text);
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    const size_t equals = item.find('=');
    const std::string key = equals == std::string::npos ? "" : item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    if (key == "file") {
      spec.file = value;
    } else if (key == "snapshot") {
      spec.snapshot = parse_switch(key, value);
    } else if (key == "readonly") {
      spec.read_only = parse_switch(key, value);
    } else if (key == "serial") {
      spec.serial = value;
    } else if (key == "format") {
      if (value != "raw") {
        throw std::invalid_argument("drive option 'format': only raw images are supported, not '" +
                                    value + "'");
      }
    } else if (key == "if") {
      if (value != "virtio") {
        throw std::invalid_argument("drive option 'if': only virtio is supported, not '" + value +
                                    "'");
      }
    } else if (i == 0) {
      spec.file = item;  // the leading FILE, which may itself contain '='
    } else {
      throw std::invalid_argument("unknown drive option '" + item +
                                  "' (known: file, snapshot, readonly, serial, format, if)");
    }
  }
  if (spec.file.empty()) throw std::invalid_argument("drive '" + std::string(text) + "': no file");
  return spec;
}

// ---------------------------------------------------------------- DiskImage

DiskImage::DiskImage(const DriveSpec& spec)
    : m_path(spec.file), m_read_only(spec.read_only), m_snapshot(spec.snapshot) {
  const bool writable = !m_read_only && !m_snapshot;
  m_fd = ::open(m_path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (m_fd < 0) {
    const int error = errno;
    std::string hint;
    if (writable && (error == EACCES || error == EROFS || error == EPERM)) {
      hint = " (for a read-only image use snapshot=on or readonly=on)";
    }
    throw std::runtime_error("drive '" + m_path + "': cannot open" +
                             (writable ? " for reading and writing" : "") + ": " +
                             std::strerror(error) + hint);
  }
  struct stat info {};
  if (::fstat(m_fd, &info) != 0 || !(S_ISREG(info.st_mode) || S_ISBLK(info.st_mode))) {
    ::close(m_fd);
    throw std::runtime_error("drive '" + m_path + "': not a regular file or block device");
  }
  const off_t size = ::lseek(m_fd, 0, SEEK_END);
  if (size < 0) {
    const int error = errno;
    ::close(m_fd);
    throw std::runtime_error("drive '" + m_path +
                             "': cannot find its size: " + std::strerror(error));
  }
  m_sectors = static_cast<uint64_t>(size) / kSectorSize;
}

DiskImage::~DiskImage() {
  if (m_fd >= 0) ::close(m_fd);
}

bool DiskImage::read(uint64_t sector, void* data, uint64_t count) {
  auto* bytes = static_cast<unsigned char*>(data);
  if (!full_io(false, m_fd, bytes, count * kSectorSize, sector * kSectorSize)) return false;
  if (!m_overlay.empty()) {
    for (uint64_t i = 0; i < count; ++i) {
      auto it = m_overlay.find(sector + i);
      if (it != m_overlay.end())
        std::memcpy(bytes + i * kSectorSize, it->second.data(), kSectorSize);
    }
  }
  return true;
}

bool DiskImage::write(uint64_t sector, const void* data, uint64_t count) {
  if (m_read_only) return false;
  const auto* bytes = static_cast<const unsigned char*>(data);
  if (m_snapshot) {
    for (uint64_t i = 0; i < count; ++i) {
      std::memcpy(m_overlay[sector + i].data(), bytes + i * kSectorSize, kSectorSize);
    }
    return true;
  }
  return full_io(true, m_fd, const_cast<unsigned char*>(bytes), count * kSectorSize,
                 sector * kSectorSize);
}

bool DiskImage::flush() {
  if (m_read_only || m_snapshot) return true;
  return ::fdatasync(m_fd) == 0;
}

// ---------------------------------------------------------------- VirtioBlk

VirtioBlk::VirtioBlk(DiskImage& image, std::string serial)
    : m_image(image), m_serial(std::move(serial)) {
  if (m_serial.size() > kIdBytes) m_serial.resize(kIdBytes);
}

uint64_t VirtioBlk::device_features() const {
  uint64_t features =
      uint64_t{1} << kFeatureSegMax | uint64_t{1} << kFeatureBlkSize | uint64_t{1} << kFeatureFlush;
  if (m_image.read_only()) features |= uint64_t{1} << kFeatureRo;
  return features;
}

void VirtioBlk::declare_config(RegisterBank& bank, uint64_t base) {
  // struct virtio_blk_config (VIRTIO 1.2 section 5.2.4), every field declared
  // so drivers may read any of them; those of features not offered read 0.
  struct Field {
    const char* name;
    uint64_t offset;
    unsigned size;
    uint64_t value;
  };
  const Field fields[] = {
      {"capacity", 0x00, 8, m_image.sectors()},
      {"size_max", 0x08, 4, 0},
      {"seg_max", 0x0c, 4, kQueueSize - 2},
      {"geometry.cylinders", 0x10, 2, 0},
      {"geometry.heads", 0x12, 1, 0},
      {"geometry.sectors", 0x13, 1, 0},
      {"blk_size", 0x14, 4, DiskImage::kSectorSize},
      {"topology.physical_block_exp", 0x18, 1, 0},
      {"topology.alignment_offset", 0x19, 1, 0},
      {"topology.min_io_size", 0x1a, 2, 0},
      {"topology.opt_io_size", 0x1c, 4, 0},
      {"writeback", 0x20, 1, 0},
      {"unused0", 0x21, 1, 0},
      {"num_queues", 0x22, 2, 1},
      {"max_discard_sectors", 0x24, 4, 0},
      {"max_discard_seg", 0x28, 4, 0},
      {"discard_sector_alignment", 0x2c, 4, 0},
      {"max_write_zeroes_sectors", 0x30, 4, 0},
      {"max_write_zeroes_seg", 0x34, 4, 0},
      {"write_zeroes_may_unmap", 0x38, 1, 0},
      {"unused1[0]", 0x39, 1, 0},
      {"unused1[1..2]", 0x3a, 2, 0},
      {"max_secure_erase_sectors", 0x3c, 4, 0},
      {"max_secure_erase_seg", 0x40, 4, 0},
      {"secure_erase_sector_alignment", 0x44, 4, 0},
  };
  for (const Field& field : fields) {
    bank.add(field.name, base + field.offset, field.size).read_only().reset_value(field.value);
  }
}

bool VirtioBlk::handle(unsigned /*queue*/, VirtqChain& chain, std::string& why) {
  if (chain.readable_bytes() < kHeaderBytes) {
    why = "block request without its 16-byte header";
    return false;
  }
  if (chain.writable_bytes() == 0) {
    why = "block request without a status byte";
    return false;
  }
  unsigned char header[kHeaderBytes];
  if (!chain.read(0, header, sizeof header)) return true;  // the transport reports the fault
  const auto type = static_cast<uint32_t>(load_le(header, 4));
  const uint64_t sector = load_le(header + 8, 8);
  // The status is the last writable byte; the data (IN, GET_ID) comes before it.
  const uint64_t status_offset = chain.writable_bytes() - 1;
  uint8_t status;
  switch (type) {
    case kTypeIn:
      status = transfer_in(chain, sector, status_offset);
      break;
    case kTypeOut:
      status = transfer_out(chain, sector, chain.readable_bytes() - kHeaderBytes);
      break;
    case kTypeFlush:
      status = m_image.flush() ? kStatusOk : kStatusIoErr;
      break;
    case kTypeGetId:
      status = get_id(chain, status_offset);
      break;
    default:
      status = kStatusUnsupp;
      break;
  }
  if (chain.dma_failed()) return true;
  chain.write(status_offset, &status, 1);
  return true;
}

bool VirtioBlk::in_range(uint64_t sector, uint64_t bytes) const {
  const uint64_t sectors = m_image.sectors();
  return bytes % DiskImage::kSectorSize == 0 && sector <= sectors &&
         bytes / DiskImage::kSectorSize <= sectors - sector;
}

uint8_t VirtioBlk::transfer_in(VirtqChain& chain, uint64_t sector, uint64_t bytes) {
  if (!in_range(sector, bytes)) return kStatusIoErr;
  std::vector<unsigned char> buffer(std::min(bytes, kChunkSectors * DiskImage::kSectorSize));
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t piece = std::min<uint64_t>(buffer.size(), bytes - done);
    if (!m_image.read(sector + done / DiskImage::kSectorSize, buffer.data(),
                      piece / DiskImage::kSectorSize)) {
      return kStatusIoErr;
    }
    if (!chain.write(done, buffer.data(), piece)) return kStatusIoErr;
    done += piece;
  }
  return kStatusOk;
}

uint8_t VirtioBlk::transfer_out(VirtqChain& chain, uint64_t sector, uint64_t bytes) {
  if (m_image.read_only() || !in_range(sector, bytes)) return kStatusIoErr;
  std::vector<unsigned char> buffer(std::min(bytes, kChunkSectors * DiskImage::kSectorSize));
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t piece = std::min<uint64_t>(buffer.size(), bytes - done);
    if (!chain.read(kHeaderBytes + done, buffer.data(), piece)) return kStatusIoErr;
    if (!m_image.write(sector + done / DiskImage::kSectorSize, buffer.data(),
                       piece / DiskImage::kSectorSize)) {
      return kStatusIoErr;
    }
    done += piece;
  }
  // Without FLUSH the driver cannot ask for durability: write through.
  if ((m_driver_features >> kFeatureFlush & 1) == 0 && !m_image.flush()) return kStatusIoErr;
  return kStatusOk;
}

uint8_t VirtioBlk::get_id(VirtqChain& chain, uint64_t room) {
  unsigned char id[kIdBytes] = {};
  std::memcpy(id, m_serial.data(), m_serial.size());
  chain.write(0, id, std::min<uint64_t>(room, kIdBytes));
  return kStatusOk;
}

}  // namespace silica
