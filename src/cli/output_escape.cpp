// The CLI's output rule: control characters and bidi overrides in what it prints are escaped.
#include "output_escape.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "jiebang/core/input_rules.h"
#include "jiebang/core/records.h"

namespace jiebang::cli {
namespace {

struct Filter {
  FILE* out;
  std::string pending;  // an incomplete UTF-8 sequence at the end of the last write
};

ssize_t filter_write(void* cookie, const char* buf, size_t size) {
  auto* f = static_cast<Filter*>(cookie);
  std::string data = f->pending + std::string(buf, size);
  f->pending.clear();
  std::string out;
  out.reserve(data.size());
  for (size_t i = 0; i < data.size();) {
    auto c = static_cast<unsigned char>(data[i]);
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + len > data.size()) {  // finish it with the next write
      f->pending = data.substr(i);
      break;
    }
    std::string_view seq(data.data() + i, len);
    if (auto bad = find_forbidden_char(seq))
      out += fmt::format("\\u{:04X}", bad->codepoint);
    else
      out.append(seq);
    i += len;
  }
  if (!out.empty() && std::fwrite(out.data(), 1, out.size(), f->out) != out.size()) return -1;
  std::fflush(f->out);
  return static_cast<ssize_t>(size);
}

int filter_close(void* cookie) {
  auto* f = static_cast<Filter*>(cookie);
  if (!f->pending.empty()) std::fwrite(f->pending.data(), 1, f->pending.size(), f->out);
  std::fflush(f->out);
  delete f;
  return 0;
}

FILE* g_raw_stderr = nullptr;

FILE* wrap(FILE* raw, bool unbuffered) {
  cookie_io_functions_t io{};
  io.write = filter_write;
  io.close = filter_close;
  FILE* f = fopencookie(new Filter{raw, {}}, "w", io);
  if (!f) return raw;
  if (unbuffered) std::setvbuf(f, nullptr, _IONBF, 0);
  return f;
}

}  // namespace

void install_output_escaping() {
  if (g_raw_stderr) return;
  g_raw_stderr = stderr;
  stdout = wrap(stdout, false);
  stderr = wrap(stderr, true);
}

FILE* raw_stderr() { return g_raw_stderr ? g_raw_stderr : stderr; }

}  // namespace jiebang::cli
