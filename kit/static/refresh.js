// A page that keeps itself up to date (the capacity board, an import still running) names its interval in
// <meta name="botilbud-refresh" content="seconds">. It reloads itself that often, with a switch the user can turn
// off (WCAG 2.2.1: a time limit the user can stop); the choice is kept for the browser tab.
(function () {
  var meta = document.querySelector('meta[name="botilbud-refresh"]');
  var main = document.getElementById("main");
  if (!meta || !main) return;
  var seconds = parseInt(meta.content, 10);
  if (!(seconds > 0)) return;
  var key = "botilbud-refresh-off";
  var box = document.createElement("p");
  box.className = "refresh";
  var label = document.createElement("label");
  var input = document.createElement("input");
  input.type = "checkbox";
  input.checked = sessionStorage.getItem(key) !== "1";
  label.appendChild(input);
  label.appendChild(document.createTextNode(" Oppdater siden automatisk hvert " + seconds + ". sekund"));
  box.appendChild(label);
  main.insertBefore(box, main.firstChild);
  var timer = null;
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = input.checked ? setTimeout(function () { location.reload(); }, seconds * 1000) : null;
  }
  input.addEventListener("change", function () {
    sessionStorage.setItem(key, input.checked ? "0" : "1");
    schedule();
  });
  schedule();
})();
