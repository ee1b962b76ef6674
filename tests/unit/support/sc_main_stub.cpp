// Debian's libsystemc.so defines main() and references sc_main(); the test
// executables take main() from gtest_main, but the link still needs the symbol.
#include <systemc>

int sc_main(int /*argc*/, char* /*argv*/[]) {
  return 0;
}
