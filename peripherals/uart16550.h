// NS16550A UART as found on QEMU's `virt` machine (compatible "ns16550a",
// register stride 1 byte, 8 registers at offsets 0..7).
//
// Modelled, as Linux's 8250 driver, OpenSBI and U-Boot use it:
//  - RBR/THR/IER with DLL/DLM behind the DLAB bit (LCR bit 7), LCR, SCR;
//  - 16-byte RX FIFO (FCR enable/clear, trigger levels 1/4/8/14, IIR bits 7:6
//    report FIFO mode); with FIFOs off the receiver holds one byte. Overrun
//    (LSR.OE) only happens in loopback: host input is never taken from the
//    console unless there is room for it;
//  - the character-timeout interrupt (IIR 0xC) fires when bytes below the
//    trigger level sit in the FIFO with no FIFO activity for one poll period
//    (real hardware: four character times);
//  - transmission is instantaneous: LSR.THRE and TEMT are always set, and a
//    THR write leaves the THR-empty interrupt pending again;
//  - THR-empty interrupt: pending after a THR write or when ETBEI is enabled,
//    cleared by an IIR read that reports it or by disabling ETBEI;
//  - interrupt priority line status > RX data / timeout > THR empty > modem
//    status; IIR reads 0x01 (plus FIFO bits) when nothing is pending; `irq`
//    follows "anything pending" (not gated by MCR.OUT2, as on QEMU);
//  - loopback (MCR bit 4): transmitted bytes go to the RX FIFO, host input is
//    disconnected, MSR mirrors DTR/RTS/OUT1/OUT2 with delta bits; outside
//    loopback the modem lines read as a connected terminal (DCD, DSR, CTS).
// Not modelled: baud rate and frame timing (the divisor latch is only
// storage), parity/framing/break errors, the TX FIFO as a queue, DMA mode
// signalling, and the 16750/16650 extensions (EFR, 64-byte FIFO).
#pragma once

#include <cstdint>
#include <deque>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "interconnect/irq.h"
#include "peripherals/register_bank.h"

namespace silica {

class CharBackend;

class Uart16550 : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Uart16550> socket;
  IrqLine irq;

  Uart16550(const sc_core::sc_module_name& name, CharBackend& console,
            const sc_core::sc_time& poll_period = sc_core::sc_time(100, sc_core::SC_US));

  // Power-on state (machine reset requested by the guest).
  void reset();

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  void declare_registers();

  // Processes.
  void poll_console();
  void on_char_timeout();
  void on_flush();

  // Register behaviour.
  uint64_t read_rbr(bool side_effects);
  void write_thr(uint8_t value);
  void write_ier(uint8_t value);
  uint8_t iir_source() const;
  uint64_t read_iir(bool side_effects);
  void write_fcr(uint8_t value);
  void write_mcr(uint8_t value);
  uint64_t read_lsr(bool side_effects);
  uint64_t read_msr(bool side_effects);

  void receive(uint8_t byte);
  void clear_rx_fifo();
  void restart_char_timeout();
  void update_modem_status();
  uint8_t modem_lines() const;
  void update_irq() { irq.set(iir_source() != kIirNone); }

  bool dlab() const { return (m_lcr & 0x80) != 0; }
  bool fifo_enabled() const { return (m_fcr & 0x01) != 0; }
  bool loopback() const { return (m_mcr & 0x10) != 0; }
  std::size_t rx_capacity() const { return fifo_enabled() ? kFifoDepth : 1; }
  std::size_t rx_trigger_level() const;

  static constexpr std::size_t kFifoDepth = 16;
  static constexpr uint8_t kIirNone = 0x01;

  CharBackend& m_console;
  sc_core::sc_time m_poll_period;
  RegisterBank m_regs;
  sc_core::sc_event m_char_timeout_event;
  sc_core::sc_event m_flush_event;

  std::deque<uint8_t> m_rx_fifo;
  uint8_t m_ier = 0;
  uint8_t m_fcr = 0;
  uint8_t m_lcr = 0;
  uint8_t m_mcr = 0;
  uint8_t m_lsr_errors = 0;    // OE; cleared by reading LSR
  uint8_t m_modem_lines = 0;   // MSR bits 7:4
  uint8_t m_modem_deltas = 0;  // MSR bits 3:0; cleared by reading MSR
  uint8_t m_dll = 0;
  uint8_t m_dlm = 0;
  bool m_thre_pending = false;
  bool m_timeout_pending = false;
};

}  // namespace silica
