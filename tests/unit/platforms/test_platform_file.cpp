#include "platforms/platform_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "platforms/component.h"

namespace silica {
namespace {

// The ConfigError message parse_platform throws for `text`, or "".
std::string parse_error(const std::string& text) {
  try {
    parse_platform(text, "board.platform");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const char* const kMinimal =
    "param memory = 64M\n"
    "component memory ram size=${memory}\n"
    "map ram 0x80000000 ${memory}\n";

TEST(PlatformFileTest, ParsesTheBuiltInVirtPlatform) {
  const PlatformFile file = find_platform("virt");
  EXPECT_EQ(file.name, "virt");
  EXPECT_EQ(file.file_name, "virt.platform");
  ASSERT_NE(file.find_param("memory"), nullptr);
  EXPECT_EQ(file.find_param("memory")->value, "128M");
  EXPECT_NE(file.find_param("harts"), nullptr);
  ASSERT_EQ(file.components.size(), 16u);  // 8 + 8 virtio-mmio slots
  EXPECT_EQ(file.components[0].type, "riscv_hart");
  EXPECT_EQ(file.components[0].name, "hart0");  // from a foreach over the harts
  EXPECT_EQ(file.components[0].values.count("isa"), 1u);
  EXPECT_EQ(file.components[1].values.at("size"), "${memory}");  // substituted by the builder
  ASSERT_EQ(file.mappings.size(), 15u);
  EXPECT_EQ(file.mappings[2].component, "uart0");
  EXPECT_EQ(file.mappings[2].base, "0x10000000");
  ASSERT_EQ(file.irqs.size(), 14u);
  EXPECT_EQ(file.irqs[1].source, "clint");
  EXPECT_EQ(file.irqs[1].source_pin, "mtip0");
  EXPECT_EQ(file.irqs[1].sink, "hart0");
  EXPECT_EQ(file.irqs[1].sink_input, "mti");
  EXPECT_NE(file.irqs[1].line, 0u);
  EXPECT_EQ(builtin_platform_names(), std::vector<std::string>{"virt"});
}

TEST(PlatformFileTest, HandlesCommentsBlankLinesAndSpacing) {
  const PlatformFile file = parse_platform(
      "# header comment\n"
      "\n"
      "   param   memory=4K   # trailing comment\n"
      "\tcomponent memory ram size=${memory} # more\n"
      "map ram.socket 0x1000 ${memory}\n"
      "component test_irq_source src\n"
      "component test_irq_sink sink\n"
      "irq src.out->sink.in\n",
      "board.platform");
  ASSERT_EQ(file.params.size(), 1u);
  EXPECT_EQ(file.params[0].value, "4K");
  EXPECT_EQ(file.params[0].line, 3u);
  EXPECT_EQ(file.components[0].line, 4u);
  EXPECT_EQ(file.mappings[0].socket, "socket");
  ASSERT_EQ(file.irqs.size(), 1u);
  EXPECT_EQ(file.irqs[0].sink_input, "in");
  EXPECT_EQ(file.name, "board");
}

TEST(PlatformFileTest, MapsAndIrqsMayNameLaterComponents) {
  EXPECT_EQ(parse_error("map ram 0 4K\ncomponent memory ram size=4K\n"), "");
}

TEST(PlatformFileTest, SubstitutesParameters) {
  EXPECT_EQ(substitute_params("a${x}b${y}", {{"x", "1"}, {"y", "22"}}, "here"), "a1b22");
  EXPECT_EQ(substitute_params("plain", {}, "here"), "plain");
  EXPECT_THROW(substitute_params("${nope}", {{"x", "1"}}, "here"), ConfigError);
  EXPECT_THROW(substitute_params("${x", {{"x", "1"}}, "here"), ConfigError);
}

struct BadLine {
  const char* text;
  const char* expected;  // must appear in the message
};

class PlatformFileErrorTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(PlatformFileErrorTest, NamesFileAndLine) {
  const std::string error = parse_error(std::string(kMinimal) + GetParam().text);
  EXPECT_NE(error.find(GetParam().expected), std::string::npos)
      << "message: " << error << "\nexpected: " << GetParam().expected;
}

INSTANTIATE_TEST_SUITE_P(
    Messages, PlatformFileErrorTest,
    ::testing::Values(
        BadLine{"compnent uart16550 uart0\n",
                "board.platform:4: unknown statement 'compnent' (expected param, component, map, "
                "irq or foreach)"},
        BadLine{"param size 12\n", "board.platform:4: malformed param"},
        BadLine{"param memory = 1G\n",
                "board.platform:4: duplicate parameter 'memory' (first declared at line 1)"},
        BadLine{"param x = two words\n", "board.platform:4: malformed value for parameter 'x'"},
        BadLine{"component memory\n", "board.platform:4: malformed component"},
        BadLine{"component memory ram size=1K\n",
                "board.platform:4: duplicate component name 'ram' (first defined at line 2)"},
        BadLine{"component uart16550 uart0 baud 9600\n",
                "board.platform:4: malformed parameter 'baud' for uart0"},
        BadLine{"component uart16550 uart0 a=1 a=2\n",
                "board.platform:4: parameter 'a' given twice for uart0"},
        BadLine{"component uart16550 0uart\n",
                "board.platform:4: malformed component name '0uart'"},
        BadLine{"component router bus\n", "board.platform:4: the name 'bus' is reserved"},
        BadLine{"component memory rom size=${rom_size}\n",
                "board.platform:4: unknown parameter '${rom_size}' (declared: memory)"},
        BadLine{"component memory rom size=${memory\n", "board.platform:4: unterminated '${'"},
        BadLine{"map uart1 0x10000000 0x100\n",
                "board.platform:4: unknown component 'uart1' in map (components: ram)"},
        BadLine{"map ram 0x10000000\n", "board.platform:4: malformed map"},
        BadLine{"map ram 0x10000000 lots\n", "board.platform:4: 'lots' is not a number"},
        BadLine{"map ram 0x0 4K\n", "board.platform:4: 'ram' is already mapped at line 3"},
        BadLine{"irq clint.mtip0 hart0.mti\n", "board.platform:4: malformed irq"},
        BadLine{"irq clint -> hart0.mti\n",
                "board.platform:4: malformed interrupt endpoint 'clint'"},
        BadLine{"irq ram.x -> hart0.mti\n",
                "board.platform:4: unknown component 'hart0' in irq (components: ram)"},
        BadLine{"foreach i in 0..1 {\ncomponent memory m${i} size=1K\n",
                "board.platform:4: foreach has no closing '}'"},
        BadLine{"}\n", "board.platform:4: '}' without a foreach"},
        BadLine{"foreach i 0..1 {\n}\n", "board.platform:4: malformed foreach"},
        BadLine{"foreach i in 0-1 {\n}\n", "board.platform:4: malformed foreach"},
        BadLine{"foreach 1i in 0..1 {\n}\n", "board.platform:4: malformed loop variable '1i'"},
        BadLine{"foreach memory in 0..1 {\n}\n",
                "board.platform:4: loop variable 'memory' hides a parameter"},
        BadLine{"foreach i in 0..1 {\nforeach i in 0..1 {\n}\n}\n",
                "board.platform:5: loop variable 'i' hides"},
        BadLine{"foreach i in 0..lots {\n}\n", "board.platform:4: foreach bound 'lots'"},
        BadLine{"foreach i in 0..${nope} {\n}\n", "board.platform:4: unknown parameter '${nope}'"},
        BadLine{"foreach i in 0..100000 {\n}\n", "board.platform:4: foreach runs 100001 times"},
        BadLine{"foreach i in 0..1 {\nparam x = 1\n}\n",
                "board.platform:5: param inside a foreach"},
        // Errors inside a loop name the body's line, with the value of the variable.
        BadLine{"foreach i in 0..1 {\n  component memory ram${i} size=1K\n  component memory "
                "ram1 size=1K\n}\n",
                "board.platform:5: duplicate component name 'ram1' (first defined at line 6)"}),
    // Stable test names (case_0, case_1, ...) instead of printed pointers.
    [](const ::testing::TestParamInfo<BadLine>& info) {
      return "case_" + std::to_string(info.index);
    });

TEST(PlatformFileTest, ForeachRepeatsLinesWithTheVariableAndParameters) {
  const PlatformFile file = parse_platform(
      "param n = 3\n"
      "component memory ram size=4K\n"
      "foreach i in 1..${n}-1 {   # hart 0 is declared elsewhere\n"
      "  component memory m${i} size=${n}K\n"
      "  foreach j in 0..${i} {\n"
      "    map m${i}.s${j} 0x${i}${j}000 4K\n"
      "  }\n"
      "}\n"
      "foreach k in 1..0 {\n"  // no iterations
      "  component memory never size=1K\n"
      "}\n",
      "board.platform");
  EXPECT_TRUE(file.has_loops);
  ASSERT_EQ(file.components.size(), 3u);
  EXPECT_EQ(file.components[1].name, "m1");
  EXPECT_EQ(file.components[1].values.at("size"), "${n}K");  // parameters stay for the builder
  EXPECT_EQ(file.components[1].line, 4u);
  EXPECT_EQ(file.components[2].name, "m2");
  ASSERT_EQ(file.mappings.size(), 5u);  // m1: j = 0..1, m2: j = 0..2
  EXPECT_EQ(file.mappings[4].component, "m2");
  EXPECT_EQ(file.mappings[4].socket, "s2");
  EXPECT_EQ(file.mappings[4].base, "0x22000");

  // Overrides change the ranges.
  const PlatformFile more = parse_platform(file.text, file.file_name, {{"n", "5"}});
  EXPECT_EQ(more.components.size(), 5u);
}

TEST(PlatformFileTest, RejectsAFileWithoutComponents) {
  EXPECT_EQ(parse_error("# nothing\nparam x = 1\n"), "board.platform: defines no components");
}

TEST(PlatformFileTest, ReadsFilesFromDisk) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("silica_test_" + std::to_string(::getpid()) + ".platform");
  {
    std::ofstream out(path);
    out << kMinimal;
  }
  const PlatformFile file = find_platform(path.string());  // ends in .platform: from disk
  EXPECT_EQ(file.file_name, path.string());
  EXPECT_EQ(file.components.size(), 1u);
  std::filesystem::remove(path);
}

TEST(PlatformFileTest, ReportsMissingFilesAndUnknownPlatforms) {
  try {
    find_platform("./no/such/board.platform");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("./no/such/board.platform: cannot open platform file"),
              std::string::npos)
        << e.what();
  }
  try {
    find_platform("virtt");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown platform 'virtt' (built-in: virt; or give a path to a .platform file)");
  }
}

}  // namespace
}  // namespace silica
