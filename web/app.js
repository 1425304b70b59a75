// jiebang pages: live search (results follow the search box as one types). Works without it too.
(function () {
  var form = document.getElementById("search-form");
  var box = document.getElementById("q");
  var results = document.getElementById("results");
  if (!form || !box || !results) return;
  var timer = null, seq = 0;
  function update() {
    var params = new URLSearchParams(new FormData(form));
    var url = form.getAttribute("action") + "?" + params.toString();
    var mine = ++seq;
    fetch(url + "&partial=1", { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      if (mine !== seq) return;
      results.innerHTML = html;  // server-rendered, every text escaped there
      history.replaceState(null, "", url);
    });
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
})();
