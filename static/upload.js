// Upload with a progress bar. Without this script the form posts as usual.
(function () {
  var form = document.getElementById("upload-form");
  var bar = document.getElementById("upload-progress");
  if (!form || !bar || !window.XMLHttpRequest) return;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((100 * e.loaded) / e.total);
        bar.textContent = bar.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      // The server answers with a redirect to the clip, or the form again with the reason.
      if (xhr.responseURL && xhr.responseURL !== form.action) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener("error", function () {
      bar.hidden = true;
      alert("The upload failed: check your connection and try again.");
    });
    xhr.send(new FormData(form));
  });
})();
