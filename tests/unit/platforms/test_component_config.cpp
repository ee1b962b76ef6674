#include <gtest/gtest.h>

#include "platforms/component.h"

namespace silica {
namespace {

ComponentConfig make(std::map<std::string, std::string> values) {
  return ComponentConfig("board.platform:7: ram", std::move(values));
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ComponentConfigTest, ReadsTypedValues) {
  ComponentConfig config = make({{"size", "128M"}, {"name", "x"}, {"clock", "100MHz"}});
  EXPECT_EQ(config.get_u64("size"), 128u << 20);
  EXPECT_EQ(config.get_string("name"), "x");
  EXPECT_EQ(config.get_hz("clock"), 100'000'000u);
  EXPECT_EQ(config.get_u64("missing", 7), 7u);
  EXPECT_EQ(config.get_string("other", std::string("fallback")), "fallback");
  EXPECT_TRUE(config.has("size"));
  EXPECT_FALSE(config.has("missing"));
  EXPECT_TRUE(config.unused_keys().empty());
}

TEST(ComponentConfigTest, ReportsKeysNobodyAskedFor) {
  ComponentConfig config = make({{"size", "4K"}, {"sise", "8K"}, {"latnecy", "1"}});
  config.get_u64("size");
  EXPECT_EQ(config.unused_keys(), (std::vector<std::string>{"latnecy", "sise"}));
}

TEST(ComponentConfigTest, ErrorsNameTheLineComponentAndKey) {
  ComponentConfig config = make({{"size", "lots"}, {"clock", "fast"}});
  EXPECT_EQ(
      error_of([&] { config.get_u64("size"); }),
      "board.platform:7: ram: parameter 'size': 'lots' is not a number (e.g. 42, 0x1000, 128M)");
  EXPECT_NE(
      error_of([&] { config.get_hz("clock"); }).find("board.platform:7: ram: parameter 'clock'"),
      std::string::npos);
  EXPECT_EQ(error_of([&] { config.get_string("isa"); }),
            "board.platform:7: ram: parameter 'isa': missing (required)");
}

TEST(ComponentRegistryTest, FindsAndListsTypes) {
  ComponentRegistry& registry = ComponentRegistry::instance();
  registry.add("test_registry_type", [](const std::string&, const ComponentConfig&, BuildContext&) {
    return std::unique_ptr<Component>();
  });
  EXPECT_NE(registry.find("test_registry_type"), nullptr);
  EXPECT_EQ(registry.find("no_such_type"), nullptr);
  const auto types = registry.types();
  EXPECT_NE(std::find(types.begin(), types.end(), "test_registry_type"), types.end());
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
}

}  // namespace
}  // namespace silica
