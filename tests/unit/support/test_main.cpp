// main() for every unit-test binary.
//
// Debian's libsystemc.so defines its own main() (which calls sc_main()), so
// which main() a test binary gets would depend on link order; an unlucky
// order runs SystemC's main, which calls an empty sc_main and exits 0 having
// run no test at all. This object is linked directly into each test, so its
// main() always wins, and it refuses to pass when no test is registered.
#include <gtest/gtest.h>

#include <cstdio>
#include <systemc>

int sc_main(int /*argc*/, char* /*argv*/[]) {
  std::fprintf(stderr, "sc_main must not run in a unit-test binary\n");
  return 1;
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::testing::UnitTest::GetInstance()->total_test_count() == 0) {
    std::fprintf(stderr, "%s: no tests are registered in this binary\n", argv[0]);
    return 1;
  }
  return RUN_ALL_TESTS();
}
