// The pages' static files (web/), embedded in the binary at build time by cmake/embed_assets.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace jiebang::web {

/// One embedded file, served at /assets/<name>.
struct Asset {
  std::string_view name;          ///< "app.css"
  std::string_view content_type;  ///< "text/css; charset=utf-8"
  std::string_view bytes;         ///< the file as it was at build time
};

/// Every embedded asset. Thread-safe.
const std::vector<Asset>& assets();

}  // namespace jiebang::web
