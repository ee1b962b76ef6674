"""silica's ISA description compiler: isa/*.isa -> decoder, interpreter
semantics, disassembler and metadata (C++ in the build tree)."""
