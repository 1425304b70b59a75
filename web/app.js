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
// jiebang pages: the region picker. A region field is a text input (a place name or a GB/T 2260
// code, resolved by the server) that works without script; with script it becomes three selects,
// province → city → county, filled from /regions.json, writing the chosen code into the field.
(function () {
  var fields = document.querySelectorAll("input[data-region-picker]");
  if (!fields.length || !window.fetch) return;
  var en = document.documentElement.lang === "en";
  fetch("/regions.json", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (table) {
    var kids = table.children || {};
    Array.prototype.forEach.call(fields, function (input) { picker(input, kids); });
  }).catch(function () { /* the text field stays: it works on its own */ });

  function picker(input, kids) {
    var code = input.getAttribute("data-code") || "";
    if (input.value && !code) return;  // typed text the server could not place: leave it to be corrected
    var levels = en ? ["Province", "City", "County / district"] : ["省", "市", "区县"];
    var box = document.createElement("div");
    box.className = "region-picker";
    var selects = levels.map(function (name, i) {
      var s = document.createElement("select");
      s.id = input.id + "-" + ["province", "city", "county"][i];
      s.setAttribute("aria-label", (en ? "Region: " : "地区：") + name);
      var described = input.getAttribute("aria-describedby");
      if (described) s.setAttribute("aria-describedby", described);
      if (input.getAttribute("aria-invalid")) s.setAttribute("aria-invalid", "true");
      box.appendChild(s);
      return s;
    });
    function fill(i, parent, chosen) {
      var s = selects[i], list = parent === null ? [] : (kids[parent] || []);
      s.innerHTML = "";
      var none = document.createElement("option");
      none.value = "";
      none.textContent = (i === 0 ? (en ? "Choose a " : "选择") : (en ? "Any " : "不限")) + levels[i].toLowerCase();
      s.appendChild(none);
      list.forEach(function (entry) {
        var o = document.createElement("option");
        o.value = entry[0];
        o.textContent = entry[1];
        if (entry[0] === chosen) o.selected = true;
        s.appendChild(o);
      });
      s.disabled = list.length === 0;
    }
    function write() {
      var v = "";
      selects.forEach(function (s) { if (s.value) v = s.value; });
      input.value = v;
    }
    var p = code ? code.slice(0, 2) + "0000" : "";
    var c = code && code.slice(2, 4) !== "00" ? code.slice(0, 4) + "00" : "";
    fill(0, "", p);
    fill(1, p || null, c);
    fill(2, c || null, code && code.slice(4) !== "00" ? code : "");
    selects[0].addEventListener("change", function () { fill(1, selects[0].value || null, ""); fill(2, null, ""); write(); });
    selects[1].addEventListener("change", function () { fill(2, selects[1].value || null, ""); write(); });
    selects[2].addEventListener("change", write);
    if (code) input.value = code;  // the server showed the stored code by its name: the form sends the code
    input.type = "hidden";
    input.parentNode.insertBefore(box, input);
    var label = document.querySelector("label[for='" + input.id + "']");
    if (label) label.setAttribute("for", selects[0].id);
    var help = document.getElementById("help-" + input.name);
    if (help) help.textContent = en ? "Choose the province, then the city and the county or district." : "依次选择省、市和区县。";
  }
})();
