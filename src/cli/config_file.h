// Internal: the configuration file (TOML, read with toml++) and the layers defaults < file < environment < flags.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jiebang/core/status.h"
#include "jiebang/digest/digest.h"

namespace jiebang::cli {

/// The type of a setting's value.
enum class SettingType { kString, kInteger, kBool };

/// One setting: its key in the file (a dotted key is a table's: `serve.listen` is `listen` in
/// `[serve]`), type, default, and the environment variable and global flag that override it.
/// This table is the one source of every default the file, the environment and `jiebang config` show.
struct SettingSpec {
  const char* key;
  SettingType type;
  const char* default_value;  ///< as text ("" for none: the program's own default applies, see `help`)
  int64_t min = 0, max = 0;   ///< integers: the accepted range (inclusive)
  const char* flag = "";      ///< the command-line option that overrides it ("" when only a subcommand's)
  const char* help = "";
};

/// Every setting, in display order.
const std::vector<SettingSpec>& setting_specs();

/// The environment variable of a key: "JIEBANG_" + the key upper-cased with '.' as '_'
/// (data_dir → JIEBANG_DATA_DIR, serve.listen → JIEBANG_SERVE_LISTEN).
std::string env_name(const std::string& key);

/// One effective value and where it came from.
struct SettingValue {
  std::string text;    ///< the value as text (integers in decimal, booleans "true"/"false")
  std::string source;  ///< "default", "<file>:<line>", "env JIEBANG_…" or "flag --…"
};

/// The effective settings: defaults, then the file, then the environment (flags are applied by
/// the command line on top, see set_from_flag). Not thread-safe; built once in main.
class Settings {
 public:
  /// Reads `file` ("" = no file) and the environment through `getenv`. Validated once: errors
  /// (kInvalidArgument) name the file and line and the key — a TOML syntax error, an unknown key
  /// (with the closest known one), a value of the wrong type or out of range — or the environment
  /// variable and its value; kNotFound when `file` does not exist (naming it and `file_from`).
  static Result<Settings> load(const std::string& file, const std::string& file_from,
                               const std::function<const char*(const char*)>& getenv);
  /// The effective value of a key of setting_specs() (throws std::out_of_range for another).
  const SettingValue& get(const std::string& key) const { return values_.at(key); }
  const std::string& str(const std::string& key) const { return get(key).text; }
  int64_t integer(const std::string& key) const { return std::stoll(get(key).text); }
  bool boolean(const std::string& key) const { return get(key).text == "true"; }
  /// A flag given on the command line wins: records its value and source.
  void set_from_flag(const std::string& key, const std::string& text, const std::string& flag);
  /// The file read ("" when none) and where its name came from ("--config", "JIEBANG_CONFIG").
  const std::string& file() const { return file_; }
  const std::string& file_from() const { return file_from_; }
  /// {"file": path | null, "file_from", "settings": {key: {"value": typed, "source", "env"}}}.
  nlohmann::json to_json() const;

 private:
  std::string file_, file_from_;
  std::map<std::string, SettingValue> values_;
};

/// The digest's settings from the [digest] keys (max_items, per_publisher_cap, per_scenario_cap,
/// base_url; "" keeps DigestSettings' own default), as `jiebang digest` and serve's weekly digest
/// both use them. The values were validated by Settings::load (ranges of setting_specs()).
DigestSettings digest_settings(const Settings& s);
/// The digest's run options from digest.threads and digest.batch.
DigestRunOptions digest_run_options(const Settings& s);

}  // namespace jiebang::cli
