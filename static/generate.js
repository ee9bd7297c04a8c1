// Live progress of a generation: polls the API every second until it is done.
(function () {
  var box = document.getElementById("generation");
  if (!box || box.dataset.done === "true" || !window.fetch) return;
  var bar = document.getElementById("gen-progress");
  var state = document.getElementById("gen-state");
  function poll() {
    fetch("/api/v1/generations/" + box.dataset.id, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (g) {
        bar.value = g.progress;
        bar.textContent = g.progress + "%";
        state.textContent = g.state;
        if (g.state === "succeeded" || g.state === "failed") {
          window.location.reload();
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
