#include "peripherals/uart16550.h"

#include "peripherals/host_console.h"

namespace silica {

namespace {

// Register offsets (stride 1).
constexpr uint64_t kRbrThrDll = 0;
constexpr uint64_t kIerDlm = 1;
constexpr uint64_t kIirFcr = 2;
constexpr uint64_t kLcr = 3;
constexpr uint64_t kMcr = 4;
constexpr uint64_t kLsr = 5;
constexpr uint64_t kMsr = 6;
constexpr uint64_t kScr = 7;

// IER bits.
constexpr uint8_t kIerRxData = 0x01;
constexpr uint8_t kIerThrEmpty = 0x02;
constexpr uint8_t kIerLineStatus = 0x04;
constexpr uint8_t kIerModemStatus = 0x08;

// IIR interrupt identification (bits 3:0) and FIFO-mode flag (bits 7:6).
constexpr uint8_t kIirLineStatus = 0x06;
constexpr uint8_t kIirRxData = 0x04;
constexpr uint8_t kIirCharTimeout = 0x0C;
constexpr uint8_t kIirThrEmpty = 0x02;
constexpr uint8_t kIirModemStatus = 0x00;
constexpr uint8_t kIirFifoEnabled = 0xC0;

// FCR bits.
constexpr uint8_t kFcrEnable = 0x01;
constexpr uint8_t kFcrClearRx = 0x02;
constexpr uint8_t kFcrStoredBits = 0xC9;  // enable, DMA mode, RX trigger

// MCR bits.
constexpr uint8_t kMcrDtr = 0x01;
constexpr uint8_t kMcrRts = 0x02;
constexpr uint8_t kMcrOut1 = 0x04;
constexpr uint8_t kMcrOut2 = 0x08;
constexpr uint8_t kMcrMask = 0x1F;

// LSR bits.
constexpr uint8_t kLsrDataReady = 0x01;
constexpr uint8_t kLsrOverrun = 0x02;
constexpr uint8_t kLsrThrEmpty = 0x20;
constexpr uint8_t kLsrTxEmpty = 0x40;

// MSR bits.
constexpr uint8_t kMsrDeltaCts = 0x01;
constexpr uint8_t kMsrDeltaDsr = 0x02;
constexpr uint8_t kMsrTrailingRi = 0x04;
constexpr uint8_t kMsrDeltaDcd = 0x08;
constexpr uint8_t kMsrCts = 0x10;
constexpr uint8_t kMsrDsr = 0x20;
constexpr uint8_t kMsrRi = 0x40;
constexpr uint8_t kMsrDcd = 0x80;

}  // namespace

Uart16550::Uart16550(const sc_core::sc_module_name& name, CharBackend& console,
                     const sc_core::sc_time& poll_period)
    : sc_core::sc_module(name), socket("socket"), m_console(console), m_poll_period(poll_period) {
  SC_HAS_PROCESS(Uart16550);
  socket.register_b_transport(this, &Uart16550::b_transport);
  socket.register_transport_dbg(this, &Uart16550::transport_dbg);
  declare_registers();

  SC_THREAD(poll_console);
  SC_METHOD(on_char_timeout);
  sensitive << m_char_timeout_event;
  dont_initialize();
  SC_METHOD(on_flush);
  sensitive << m_flush_event;
  dont_initialize();

  reset();
}

void Uart16550::declare_registers() {
  // Offsets 0 and 1 mean different registers for reads, writes and DLAB; the
  // callbacks pick the meaning, the bank handles decoding and access checks.
  m_regs.add("RBR/THR/DLL", kRbrThrDll, 1)
      .on_read([this] { return read_rbr(true); })
      .on_peek([this] { return read_rbr(false); })
      .on_write([this](uint64_t v) {
        if (dlab()) {
          m_dll = static_cast<uint8_t>(v);
        } else {
          write_thr(static_cast<uint8_t>(v));
        }
      });
  m_regs.add("IER/DLM", kIerDlm, 1)
      .on_read([this] { return dlab() ? m_dlm : m_ier; })
      .on_write([this](uint64_t v) {
        if (dlab()) {
          m_dlm = static_cast<uint8_t>(v);
        } else {
          write_ier(static_cast<uint8_t>(v));
        }
      });
  m_regs.add("IIR/FCR", kIirFcr, 1)
      .on_read([this] { return read_iir(true); })
      .on_peek([this] { return read_iir(false); })
      .on_write([this](uint64_t v) { write_fcr(static_cast<uint8_t>(v)); });
  m_regs.add("LCR", kLcr, 1)
      .on_read([this] { return m_lcr; })  // bit 7 (DLAB) switches offsets 0 and 1
      .on_write([this](uint64_t v) { m_lcr = static_cast<uint8_t>(v); });
  m_regs.add("MCR", kMcr, 1)
      .writable_bits(kMcrMask)
      .on_read([this] { return m_mcr; })
      .on_write([this](uint64_t v) { write_mcr(static_cast<uint8_t>(v)); });
  m_regs.add("LSR", kLsr, 1)
      .read_only()  // reading clears the error bits
      .on_read([this] { return read_lsr(true); })
      .on_peek([this] { return read_lsr(false); });
  m_regs.add("MSR", kMsr, 1)
      .read_only()  // reading clears the delta bits
      .on_read([this] { return read_msr(true); })
      .on_peek([this] { return read_msr(false); });
  m_regs.add("SCR", kScr, 1);
}

void Uart16550::reset() {
  m_rx_fifo.clear();
  m_ier = 0;
  m_fcr = 0;
  m_lcr = 0;
  m_mcr = 0;
  m_lsr_errors = 0;
  m_dll = 0;
  m_dlm = 0;
  m_thre_pending = false;
  m_timeout_pending = false;
  m_modem_lines = modem_lines();
  m_modem_deltas = 0;
  m_char_timeout_event.cancel();
  m_regs.reset();
  update_irq();
}

void Uart16550::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay*/) {
  m_regs.access(trans);
}

unsigned Uart16550::transport_dbg(tlm::tlm_generic_payload& trans) {
  return m_regs.debug_access(trans);
}

// --- receiver ---------------------------------------------------------------

std::size_t Uart16550::rx_trigger_level() const {
  static constexpr std::size_t kLevels[4] = {1, 4, 8, 14};
  return fifo_enabled() ? kLevels[m_fcr >> 6] : 1;
}

void Uart16550::receive(uint8_t byte) {
  if (m_rx_fifo.size() >= rx_capacity()) {
    m_lsr_errors |= kLsrOverrun;
    // Without FIFOs the new byte overwrites the holding register; with them
    // it dies in the shift register.
    if (!fifo_enabled()) m_rx_fifo.back() = byte;
  } else {
    m_rx_fifo.push_back(byte);
  }
  restart_char_timeout();
  update_irq();
}

void Uart16550::clear_rx_fifo() {
  m_rx_fifo.clear();
  m_timeout_pending = false;
  m_char_timeout_event.cancel();
}

void Uart16550::restart_char_timeout() {
  m_char_timeout_event.cancel();
  if (fifo_enabled() && !m_rx_fifo.empty()) m_char_timeout_event.notify(m_poll_period);
}

void Uart16550::on_char_timeout() {
  if (!fifo_enabled() || m_rx_fifo.empty()) return;
  m_timeout_pending = true;
  update_irq();
}

uint64_t Uart16550::read_rbr(bool side_effects) {
  if (dlab()) return m_dll;
  if (m_rx_fifo.empty()) return 0;
  const uint8_t byte = m_rx_fifo.front();
  if (side_effects) {
    m_rx_fifo.pop_front();
    m_timeout_pending = false;
    restart_char_timeout();
    update_irq();
  }
  return byte;
}

void Uart16550::poll_console() {
  for (;;) {
    // In loopback the serial input is disconnected from the outside world.
    if (!loopback()) {
      uint8_t byte;
      while (m_rx_fifo.size() < rx_capacity() && m_console.read_char(byte)) receive(byte);
    }
    // Nothing more can ever arrive: end the process so a finished simulation
    // has no pending events from the UART.
    if (m_console.input_closed()) return;
    wait(m_poll_period);
  }
}

// --- transmitter ------------------------------------------------------------

void Uart16550::write_thr(uint8_t value) {
  if (loopback()) {
    receive(value);
  } else {
    m_console.write_char(value);
    // The console flushes on newlines itself; prompts without one still reach
    // the user within a poll period.
    m_flush_event.notify(m_poll_period);
  }
  // The byte left the THR at once, so THR is empty again: re-arm the interrupt.
  m_thre_pending = true;
  update_irq();
}

void Uart16550::on_flush() {
  m_console.flush();
}

// --- interrupts ---------------------------------------------------------------

void Uart16550::write_ier(uint8_t value) {
  value &= 0x0F;
  const bool etbei_was = (m_ier & kIerThrEmpty) != 0;
  const bool etbei_now = (value & kIerThrEmpty) != 0;
  m_ier = value;
  // Enabling ETBEI while THR is empty (always, here) raises the interrupt;
  // drivers rely on this to kick off transmission.
  if (etbei_now != etbei_was) m_thre_pending = etbei_now;
  update_irq();
}

uint8_t Uart16550::iir_source() const {
  if ((m_ier & kIerLineStatus) != 0 && m_lsr_errors != 0) return kIirLineStatus;
  if ((m_ier & kIerRxData) != 0) {
    if (!m_rx_fifo.empty() && m_rx_fifo.size() >= rx_trigger_level()) return kIirRxData;
    if (m_timeout_pending) return kIirCharTimeout;
  }
  if ((m_ier & kIerThrEmpty) != 0 && m_thre_pending) return kIirThrEmpty;
  if ((m_ier & kIerModemStatus) != 0 && m_modem_deltas != 0) return kIirModemStatus;
  return kIirNone;
}

uint64_t Uart16550::read_iir(bool side_effects) {
  const uint8_t source = iir_source();
  // Reading IIR acknowledges a THR-empty interrupt only when it is the one
  // being reported.
  if (side_effects && source == kIirThrEmpty) {
    m_thre_pending = false;
    update_irq();
  }
  return source | (fifo_enabled() ? kIirFifoEnabled : 0);
}

void Uart16550::write_fcr(uint8_t value) {
  const bool enable = (value & kFcrEnable) != 0;
  // Switching FIFO mode either way empties the FIFOs.
  if (enable != fifo_enabled()) clear_rx_fifo();
  // The other bits only take effect while the FIFO-enable bit is written as 1.
  m_fcr = enable ? (value & kFcrStoredBits) : 0;
  if (enable && (value & kFcrClearRx) != 0) clear_rx_fifo();
  restart_char_timeout();
  update_irq();
}

// --- line and modem status ------------------------------------------------------

uint64_t Uart16550::read_lsr(bool side_effects) {
  const uint8_t value =
      (m_rx_fifo.empty() ? 0 : kLsrDataReady) | m_lsr_errors | kLsrThrEmpty | kLsrTxEmpty;
  if (side_effects && m_lsr_errors != 0) {
    m_lsr_errors = 0;
    update_irq();
  }
  return value;
}

uint8_t Uart16550::modem_lines() const {
  if (!loopback()) return kMsrDcd | kMsrDsr | kMsrCts;  // a terminal is attached
  uint8_t lines = 0;
  if ((m_mcr & kMcrRts) != 0) lines |= kMsrCts;
  if ((m_mcr & kMcrDtr) != 0) lines |= kMsrDsr;
  if ((m_mcr & kMcrOut1) != 0) lines |= kMsrRi;
  if ((m_mcr & kMcrOut2) != 0) lines |= kMsrDcd;
  return lines;
}

void Uart16550::update_modem_status() {
  const uint8_t lines = modem_lines();
  const uint8_t changed = lines ^ m_modem_lines;
  if ((changed & kMsrCts) != 0) m_modem_deltas |= kMsrDeltaCts;
  if ((changed & kMsrDsr) != 0) m_modem_deltas |= kMsrDeltaDsr;
  if ((changed & kMsrDcd) != 0) m_modem_deltas |= kMsrDeltaDcd;
  // TERI flags only the trailing edge of RI.
  if ((m_modem_lines & kMsrRi) != 0 && (lines & kMsrRi) == 0) m_modem_deltas |= kMsrTrailingRi;
  m_modem_lines = lines;
}

void Uart16550::write_mcr(uint8_t value) {
  m_mcr = value & kMcrMask;
  update_modem_status();
  update_irq();
}

uint64_t Uart16550::read_msr(bool side_effects) {
  const uint8_t value = m_modem_lines | m_modem_deltas;
  if (side_effects && m_modem_deltas != 0) {
    m_modem_deltas = 0;
    update_irq();
  }
  return value;
}

}  // namespace silica
