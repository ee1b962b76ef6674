// How a device ends or resets the simulation (test finisher, HTIF, SBI reset).
//
// Devices call these from inside a transaction; the implementation (the
// simulation runner) records the request and stops SystemC at a safe point,
// so no device ever calls exit() or sc_stop() on its own.
#pragma once

namespace silica {

class SimControl {
 public:
  virtual ~SimControl() = default;
  // The guest asked to stop with this process exit code (0 = pass).
  virtual void request_exit(int exit_code) = 0;
  // The guest asked for a machine reset.
  virtual void request_reset() = 0;
};

}  // namespace silica
