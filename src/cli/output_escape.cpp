// The CLI's output rule: control characters and bidi overrides in what it prints are escaped.
#include "output_escape.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "jiebang/core/input_rules.h"
#include "jiebang/core/records.h"
#include "jiebang/core/utf8.h"

namespace jiebang::cli {
namespace {

// Static storage, trivially destructible: glibc flushes stdout after static destructors have run
// (exit → atexit handlers → _IO_cleanup), so a filter must outlive every destructor, and a heap
// one would be reported by LeakSanitizer because glibc never closes stdout.
struct Filter {
  FILE* out = nullptr;
  char pending[4] = {};      // an incomplete UTF-8 sequence at the end of the last write
  size_t pending_size = 0;   // 0..3
};

Filter g_filters[2];

ssize_t filter_write(void* cookie, const char* buf, size_t size) {
  auto* f = static_cast<Filter*>(cookie);
  std::string data(f->pending, f->pending_size);
  data.append(buf, size);
  f->pending_size = 0;
  std::string out;
  out.reserve(data.size());
  for (size_t i = 0; i < data.size();) {
    Utf8Char ch = decode_utf8(data, i);
    if (ch.kind == Utf8Char::Kind::kIncomplete) {  // finish it with the next write (at most 3 bytes wait)
      f->pending_size = ch.length;
      std::memcpy(f->pending, data.data() + i, f->pending_size);
      break;
    }
    if (ch.kind == Utf8Char::Kind::kIllFormed) {
      // Escaped, one byte at a time: the bytes after it are read from their own start, so an
      // ill-formed lead byte cannot swallow the first bytes of a bidi override and let the rest through.
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(data[i]));
      ++i;
      continue;
    }
    std::string_view seq(data.data() + i, ch.length);
    if (auto bad = find_forbidden_char(seq))
      out += fmt::format("\\u{:04X}", bad->codepoint);
    else
      out.append(seq);
    i += ch.length;
  }
  if (!out.empty() && std::fwrite(out.data(), 1, out.size(), f->out) != out.size()) return -1;
  std::fflush(f->out);
  return static_cast<ssize_t>(size);
}

int filter_close(void* cookie) {
  auto* f = static_cast<Filter*>(cookie);
  if (f->pending_size) std::fwrite(f->pending, 1, f->pending_size, f->out);
  f->pending_size = 0;
  std::fflush(f->out);
  return 0;
}

FILE* g_raw_stderr = nullptr;

FILE* wrap(Filter& filter, FILE* raw, bool unbuffered) {
  cookie_io_functions_t io{};
  io.write = filter_write;
  io.close = filter_close;
  filter.out = raw;
  FILE* f = fopencookie(&filter, "w", io);
  if (!f) return raw;
  if (unbuffered) std::setvbuf(f, nullptr, _IONBF, 0);
  return f;
}

}  // namespace

void install_output_escaping() {
  if (g_raw_stderr) return;
  g_raw_stderr = stderr;
  stdout = wrap(g_filters[0], stdout, false);
  stderr = wrap(g_filters[1], stderr, true);
}

FILE* raw_stderr() { return g_raw_stderr ? g_raw_stderr : stderr; }

}  // namespace jiebang::cli
