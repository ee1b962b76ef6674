// The virtio component types for platform files, kept apart from
// builtin_components.cpp so virtio devices grow without touching it.
#pragma once

namespace silica {

// Registers `virtio_mmio`: one virtio-mmio transport slot, with a device behind
// it or empty. Parameters:
//   device=blk|none   the device type (default none: DeviceID 0, as QEMU's
//                     empty slots)
//   drive=SPEC        blk's backing image: FILE[,snapshot=on][,readonly=on]
//                     [,serial=TEXT][,format=raw][,if=virtio]; "" or "none"
//                     leave the slot empty
// Sockets: the target "" (or "socket"), the bus-master initiator "" (or
// "dma", bound to the bus by the builder); interrupt output "irq".
// Called by register_builtin_components().
void register_virtio_components();

}  // namespace silica
