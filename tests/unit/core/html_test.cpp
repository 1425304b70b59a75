// The one HTML escaper (jiebang/core/html.h) used by the pages and the digest's HTML files.
#include <gtest/gtest.h>

#include "jiebang/core/html.h"

namespace jiebang {
namespace {

TEST(HtmlEscape, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(html_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
}

TEST(HtmlEscape, KeepsUtf8AndPlainTextAsIs) {
  EXPECT_EQ(html_escape("电缆隧道 渗漏水 TRL 7"), "电缆隧道 渗漏水 TRL 7");
  EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlEscape, EscapesAnAlreadyEscapedTextAgain) {
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
}

}  // namespace
}  // namespace jiebang
