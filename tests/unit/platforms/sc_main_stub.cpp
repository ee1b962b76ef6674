// Debian's libsystemc.so defines main() and references sc_main(). These tests
// take main() from gtest_main, so sc_main only has to exist for the linker;
// <systemc> declares it extern "C".
#include <systemc>

int sc_main(int /*argc*/, char* /*argv*/[]) {
  return 0;
}
