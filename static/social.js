// Like and boost without reloading the page. The forms work without this
// script; with it, a form is sent in the background and the reactions
// section is replaced by the one on the page the server answers with, so
// the counts and buttons come from the same place either way.
(function () {
  var section = document.getElementById("reactions");
  if (!section || !window.fetch || !window.DOMParser) return;
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.closest || !form.closest("#reactions")) return;
    ev.preventDefault();
    var button = form.querySelector("button");
    var verb = button && /react-(like|boost)/.exec(button.className);
    if (button) button.disabled = true;
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) throw new Error(resp.status);
        return resp.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("reactions");
        if (!fresh) throw new Error("no reactions on the answer");
        document.getElementById("reactions").replaceWith(fresh);
        // Keep the keyboard where it was: on the same kind of button.
        var again = verb && fresh.querySelector("button.react-" + verb[1]);
        if (again) again.focus();
      })
      .catch(function () {
        form.submit(); // the page way, which shows any error in full
      });
  });
})();
