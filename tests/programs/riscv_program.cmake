# riscv_add_program(): build one bare-metal RISC-V ELF at build time with the
# cross compiler, linked against the runtime in tests/programs/rt.
# Shared by tests/programs and bench/: each includes it, because the
# variables below are directory-scoped (the compiler lookups are cached).
#
#   riscv_add_program(<name> XLEN 64|32 SOURCES src... [FLAGS flag...]
#                     [DEPENDS header...])
#
# Produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.elf (plus <name>.dis, an objdump
# listing, handy when a test fails) and sets <name>_ELF in the caller's scope.

find_program(RISCV_GCC riscv64-unknown-elf-gcc)
find_program(RISCV_OBJDUMP riscv64-unknown-elf-objdump)
if(NOT RISCV_GCC OR NOT RISCV_OBJDUMP)
  message(FATAL_ERROR
    "riscv64-unknown-elf-gcc/objdump not found; the test and bench programs need "
    "them: apt-get install gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf")
endif()

set(RISCV_RT_DIR ${CMAKE_CURRENT_LIST_DIR}/rt)
set(RISCV_RT_SOURCES
  ${RISCV_RT_DIR}/start.S ${RISCV_RT_DIR}/trap.S ${RISCV_RT_DIR}/rt.c ${RISCV_RT_DIR}/mem.c)
set(RISCV_RT_DEPENDS ${RISCV_RT_SOURCES} ${RISCV_RT_DIR}/link.ld
  ${RISCV_RT_DIR}/rt.h ${RISCV_RT_DIR}/asm.h ${RISCV_RT_DIR}/platform.h
  ${RISCV_RT_DIR}/test_macros.h)

# The full -march strings name Zicsr/Zifencei, which gcc 12's multilib table
# does not know, so it would pick the default (rv64imafdc/lp64d) libgcc.  Ask
# for the right libgcc with the short names once, at configure time.
foreach(xlen 64 32)
  if(xlen EQUAL 64)
    set(_short -march=rv64imac -mabi=lp64)
  else()
    set(_short -march=rv32imac -mabi=ilp32)
  endif()
  if(NOT RISCV_LIBGCC_${xlen})
    execute_process(COMMAND ${RISCV_GCC} ${_short} -print-libgcc-file-name
      OUTPUT_VARIABLE _libgcc OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(RISCV_LIBGCC_${xlen} ${_libgcc} CACHE FILEPATH "libgcc for rv${xlen}imac")
  endif()
endforeach()

set(RISCV_ARCH_FLAGS_64 -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany)
set(RISCV_ARCH_FLAGS_32 -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mcmodel=medany)
set(RISCV_COMMON_FLAGS
  -ffreestanding -nostdlib -nostartfiles -fno-pic -static -g
  -Wall -Wextra -Wno-unused-parameter
  -I${RISCV_RT_DIR}
  -T ${RISCV_RT_DIR}/link.ld
  -Wl,--no-warn-rwx-segments)

function(riscv_add_program name)
  cmake_parse_arguments(P "" "XLEN" "SOURCES;FLAGS;DEPENDS" ${ARGN})
  if(NOT P_XLEN)
    set(P_XLEN 64)
  endif()
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  set(dis ${CMAKE_CURRENT_BINARY_DIR}/${name}.dis)
  list(TRANSFORM P_SOURCES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
  list(TRANSFORM P_DEPENDS PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
  add_custom_command(
    OUTPUT ${elf} ${dis}
    COMMAND ${RISCV_GCC} ${RISCV_ARCH_FLAGS_${P_XLEN}} ${RISCV_COMMON_FLAGS} ${P_FLAGS}
            -o ${elf} ${RISCV_RT_SOURCES} ${P_SOURCES} ${RISCV_LIBGCC_${P_XLEN}}
    COMMAND ${RISCV_OBJDUMP} -d ${elf} > ${dis}
    DEPENDS ${P_SOURCES} ${P_DEPENDS} ${RISCV_RT_DEPENDS}
    COMMENT "Building RISC-V program ${name}.elf (rv${P_XLEN})"
    VERBATIM)
  set(${name}_ELF ${elf} PARENT_SCOPE)
endfunction()
