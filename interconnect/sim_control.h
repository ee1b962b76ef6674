// How a device ends or resets the simulation (test finisher, HTIF, SBI reset),
// and how harts say they sleep.
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
  // A hart went to sleep in WFI (true) or woke up (false). While every hart
  // sleeps the machine is idle, and the runner may hold simulated time to the
  // host's clock (--idle realtime).
  virtual void hart_sleeping(bool /*asleep*/) {}
};

}  // namespace silica
