// Uart16550 through its TLM socket, with a BufferConsole as the host side.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "peripherals/host_console.h"
#include "peripherals/uart16550.h"
#include "tests/unit/peripherals/peripheral_test_util.h"
#include "tests/unit/support/tlm_driver.h"

namespace silica::test {
namespace {

using sc_core::sc_time;
using sc_core::SC_US;

constexpr uint64_t kRbr = 0, kThr = 0, kDll = 0, kIer = 1, kDlm = 1, kIir = 2, kFcr = 2, kLcr = 3,
                   kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;
const sc_time kPoll(100, SC_US);

class UartTest : public ::testing::Test {
 protected:
  // Builds the UART with `input` waiting on the host side and elaborates.
  void build(std::string input = {}, bool close_when_drained = true) {
    fresh_systemc_context();
    m_console = std::make_unique<BufferConsole>(std::move(input), close_when_drained);
    m_uart = std::make_unique<Uart16550>("uart", *m_console, kPoll);
    m_driver = std::make_unique<TlmDriver>("driver");
    m_driver->socket.bind(m_uart->socket);
    m_uart->irq.bind(m_probe, 3);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  void run(double us) { sc_core::sc_start(sc_time(us, SC_US)); }
  uint8_t rd(uint64_t offset) { return m_driver->read8(offset); }
  void wr(uint64_t offset, uint8_t value) { m_driver->write8(offset, value); }
  bool irq() const { return m_probe.level(3); }

  IrqProbe m_probe;
  std::unique_ptr<BufferConsole> m_console;
  std::unique_ptr<Uart16550> m_uart;
  std::unique_ptr<TlmDriver> m_driver;
};

TEST_F(UartTest, ResetState) {
  build();
  EXPECT_EQ(rd(kIer), 0x00);
  EXPECT_EQ(rd(kIir), 0x01);
  EXPECT_EQ(rd(kLcr), 0x00);
  EXPECT_EQ(rd(kMcr), 0x00);
  EXPECT_EQ(rd(kLsr), 0x60);
  EXPECT_EQ(rd(kMsr), 0xB0);  // DCD, DSR, CTS: a terminal is attached
  EXPECT_EQ(rd(kScr), 0x00);
  EXPECT_FALSE(irq());
}

TEST_F(UartTest, TransmitsToConsoleAndFlushesPartialLinesLater) {
  build();
  for (char c : std::string("hi\n")) wr(kThr, static_cast<uint8_t>(c));
  EXPECT_EQ(m_console->output(), "hi\n");
  EXPECT_EQ(rd(kLsr) & 0x60, 0x60);
  const unsigned flushes = m_console->flush_count();
  wr(kThr, '>');
  EXPECT_EQ(m_console->flush_count(), flushes);
  run(150);
  EXPECT_EQ(m_console->flush_count(), flushes + 1);
  EXPECT_EQ(m_console->output(), "hi\n>");
}

TEST_F(UartTest, ReceivesOneByteAtATimeWithoutFifo) {
  build("ok");
  EXPECT_EQ(rd(kLsr), 0x61);
  EXPECT_EQ(rd(kRbr), 'o');
  EXPECT_EQ(rd(kLsr), 0x60);  // 'k' waits on the host until the next poll
  run(150);
  EXPECT_EQ(rd(kLsr), 0x61);
  EXPECT_EQ(rd(kRbr), 'k');
  EXPECT_EQ(rd(kLsr), 0x60);
}

TEST_F(UartTest, FifoHoldsSixteenBytesAndNeverLosesHostInput) {
  build("", false);
  wr(kFcr, 0x07);
  EXPECT_EQ(rd(kIir) & 0xC0, 0xC0);
  m_console->push_input("ABCDEFGHIJKLMNOPQRST");  // 20 bytes
  run(150);
  std::string got;
  while (rd(kLsr) & 0x01) got.push_back(static_cast<char>(rd(kRbr)));
  EXPECT_EQ(got, "ABCDEFGHIJKLMNOP");
  EXPECT_EQ(rd(kLsr) & 0x02, 0);  // no overrun
  run(100);
  got.clear();
  while (rd(kLsr) & 0x01) got.push_back(static_cast<char>(rd(kRbr)));
  EXPECT_EQ(got, "QRST");
}

TEST_F(UartTest, RxTriggerLevelAndCharacterTimeout) {
  build("", false);
  wr(kFcr, 0x81);  // FIFO on, trigger level 8
  wr(kIer, 0x01);
  m_console->push_input("12345");
  run(150);  // polled at 100 us: 5 bytes, below the trigger
  EXPECT_EQ(rd(kIir), 0xC1);
  EXPECT_FALSE(irq());
  run(100);  // one poll period without FIFO activity: character timeout
  EXPECT_EQ(rd(kIir), 0xCC);
  EXPECT_TRUE(irq());
  EXPECT_EQ(rd(kRbr), '1');  // reading acknowledges the timeout
  EXPECT_EQ(rd(kIir), 0xC1);
  EXPECT_FALSE(irq());
  m_console->push_input("ABCDEFGHIJ");
  run(100);  // 4 + 10 = 14 bytes >= 8
  EXPECT_EQ(rd(kIir), 0xC4);
  EXPECT_TRUE(irq());
  for (int i = 0; i < 7; ++i) rd(kRbr);  // 7 left, below the trigger again
  EXPECT_EQ(rd(kIir), 0xC1);
  EXPECT_FALSE(irq());
}

TEST_F(UartTest, ThrEmptyInterruptSemantics) {
  build();
  wr(kIer, 0x02);  // enabling ETBEI with THR empty raises it
  EXPECT_TRUE(irq());
  EXPECT_EQ(rd(kIir), 0x02);  // reported, hence acknowledged
  EXPECT_FALSE(irq());
  EXPECT_EQ(rd(kIir), 0x01);
  wr(kThr, 'x');  // THR empties again at once
  EXPECT_TRUE(irq());
  wr(kIer, 0x00);
  EXPECT_FALSE(irq());
  EXPECT_EQ(rd(kIir), 0x01);
}

TEST_F(UartTest, DebugReadsHaveNoSideEffects) {
  build("q");
  wr(kIer, 0x02);
  EXPECT_EQ(debug_read(*m_driver, kIir, 1), 0x02u);
  EXPECT_TRUE(irq());  // a debugger looking at IIR does not acknowledge
  EXPECT_EQ(debug_read(*m_driver, kRbr, 1), uint64_t{'q'});
  EXPECT_EQ(debug_read(*m_driver, kLsr, 1), 0x61u);  // still there
  EXPECT_EQ(rd(kRbr), 'q');
  EXPECT_EQ(rd(kLsr), 0x60);
}

TEST_F(UartTest, InterruptPriorityOrder) {
  build();
  wr(kMcr, 0x10);  // loopback: modem lines drop, setting delta bits
  wr(kThr, 'a');
  wr(kThr, 'b');  // no FIFO: overwrites 'a' and flags overrun
  wr(kIer, 0x0F);
  EXPECT_EQ(rd(kIir), 0x06);  // receiver line status first
  EXPECT_EQ(rd(kLsr), 0x63);  // DR, OE, THRE, TEMT; the read clears OE
  EXPECT_EQ(rd(kIir), 0x04);  // then received data
  EXPECT_EQ(rd(kRbr), 'b');
  EXPECT_EQ(rd(kIir), 0x02);  // then THR empty (acknowledged by this read)
  EXPECT_TRUE(irq());
  EXPECT_EQ(rd(kIir), 0x00);  // then modem status
  EXPECT_EQ(rd(kMsr), 0x0B);  // DDCD, DDSR, DCTS; lines all low
  EXPECT_EQ(rd(kIir), 0x01);
  EXPECT_FALSE(irq());
  EXPECT_EQ(m_console->output(), "");  // loopback never reaches the host
}

TEST_F(UartTest, LoopbackMirrorsModemControlAndFeedsReceiver) {
  build();
  wr(kMcr, 0x1A);  // the 8250 driver's probe: LOOP | OUT2 | RTS
  EXPECT_EQ(rd(kMsr) & 0xF0, 0x90);
  wr(kMcr, 0x1F);
  EXPECT_EQ(rd(kMsr) & 0xF0, 0xF0);
  wr(kMcr, 0x1B);  // OUT1 (RI) falls: trailing-edge indicator
  EXPECT_EQ(rd(kMsr), 0xB4);
  wr(kFcr, 0x01);
  for (int i = 0; i < 17; ++i) wr(kThr, static_cast<uint8_t>('a' + i));
  EXPECT_EQ(rd(kLsr) & 0x03, 0x03);  // 17th byte overran the FIFO
  EXPECT_EQ(rd(kRbr), 'a');
  wr(kMcr, 0x00);
  EXPECT_EQ(rd(kMsr) & 0xF0, 0xB0);
}

TEST_F(UartTest, DivisorLatchBehindDlab) {
  build("", false);
  wr(kIer, 0x05);
  wr(kLcr, 0x83);
  wr(kDll, 0x01);
  wr(kDlm, 0x02);
  EXPECT_EQ(rd(kDll), 0x01);
  EXPECT_EQ(rd(kDlm), 0x02);
  EXPECT_TRUE(m_console->output().empty());  // the DLL write did not transmit
  wr(kLcr, 0x03);
  EXPECT_EQ(rd(kLcr), 0x03);
  EXPECT_EQ(rd(kIer), 0x05);
  wr(kIer, 0xFF);
  EXPECT_EQ(rd(kIer), 0x0F);  // upper bits do not exist on a 16550A
  wr(kLcr, 0x80);
  EXPECT_EQ(rd(kDlm), 0x02);
}

TEST_F(UartTest, ScratchRegister) {
  build();
  wr(kScr, 0xA5);
  EXPECT_EQ(rd(kScr), 0xA5);
  wr(kScr, 0x5A);
  EXPECT_EQ(rd(kScr), 0x5A);
}

TEST_F(UartTest, FifoControl) {
  build("", false);
  EXPECT_EQ(rd(kIir) & 0xC0, 0x00);
  wr(kFcr, 0xC1);
  EXPECT_EQ(rd(kIir) & 0xC0, 0xC0);
  m_console->push_input("xyz");
  run(150);
  EXPECT_EQ(rd(kLsr) & 0x01, 0x01);
  wr(kFcr, 0xC3);  // clear RX FIFO
  EXPECT_EQ(rd(kLsr) & 0x01, 0x00);
  wr(kFcr, 0x00);
  EXPECT_EQ(rd(kIir), 0x01);
}

TEST_F(UartTest, BadAccessesAreErrorsNotCrashes) {
  build();
  tlm::tlm_response_status status;
  m_driver->read(8, 1, &status);
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  m_driver->read(0, 2, &status);  // spans RBR and IER
  EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(m_driver->write(0, 0x4141, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_TRUE(m_console->output().empty());
  uint8_t byte = 'x';
  unsigned char enable = 0xFF;
  EXPECT_EQ(timed_access(*m_driver, tlm::TLM_WRITE_COMMAND, kThr, &byte, 1, sc_core::SC_ZERO_TIME,
                         &enable),
            tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_TRUE(m_console->output().empty());
  for (uint64_t offset = 0; offset < 16; ++offset) {
    for (unsigned len = 1; len <= 8; ++len) {
      m_driver->read(offset, len, &status);
      EXPECT_EQ(status,
                (len == 1 && offset < 8) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
  }
}

TEST_F(UartTest, PollingStopsOnceInputIsClosedAndDrained) {
  build("ab");
  EXPECT_EQ(rd(kRbr), 'a');
  run(150);
  EXPECT_EQ(rd(kRbr), 'b');
  run(150);  // the poll at 200 us sees closed input and ends
  EXPECT_FALSE(sc_core::sc_pending_activity());
}

TEST_F(UartTest, NoInputSourceLeavesNoPendingEvents) {
  build();
  EXPECT_FALSE(sc_core::sc_pending_activity());
}

TEST_F(UartTest, ResetRestoresPowerOnState) {
  build();
  wr(kLcr, 0x83);
  wr(kIer, 0x01);  // DLM under DLAB
  wr(kLcr, 0x03);
  wr(kIer, 0x02);
  wr(kScr, 0x42);
  EXPECT_TRUE(irq());
  m_uart->reset();
  EXPECT_FALSE(irq());
  EXPECT_EQ(rd(kLcr), 0x00);
  EXPECT_EQ(rd(kIer), 0x00);
  EXPECT_EQ(rd(kScr), 0x00);
  EXPECT_EQ(rd(kIir), 0x01);
}

}  // namespace
}  // namespace silica::test
