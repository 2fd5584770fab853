// Casebook console: progressive enhancements only; every page works
// without this script.
(function () {
  "use strict";

  // Time zone: tell the server the browser's zone once, so times are shown
  // in it (the server reads the casebook_tz cookie).
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var has = document.cookie.split("; ").some(function (c) { return c.indexOf("casebook_tz=") === 0; });
    if (tz && !has) {
      document.cookie = "casebook_tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; SameSite=Strict";
      if (!sessionStorage.getItem("casebook_tz_reloaded")) {
        sessionStorage.setItem("casebook_tz_reloaded", "1");
        location.reload();
      }
    }
  } catch (e) { /* no Intl or storage: times stay in UTC */ }

  // Upload progress: forms with files and a <progress> are sent with
  // XMLHttpRequest so the bar can move; the answer replaces the page.
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[enctype='multipart/form-data']");
    Array.prototype.forEach.call(forms, function (form) {
      var bar = form.querySelector("progress");
      if (!bar || !window.FormData) { return; }
      form.addEventListener("submit", function (ev) {
        var files = form.querySelector("input[type=file]");
        if (!files || files.files.length === 0) { return; } // a plain post
        ev.preventDefault();
        var button = form.querySelector("button[type=submit]");
        if (button) { button.disabled = true; }
        bar.hidden = false;
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
        });
        xhr.addEventListener("load", function () {
          if (xhr.status < 400 && xhr.responseURL) {
            location.href = xhr.responseURL;
            return;
          }
          document.open();
          document.write(xhr.responseText);
          document.close();
        });
        xhr.addEventListener("error", function () {
          if (button) { button.disabled = false; }
          bar.hidden = true;
        });
        xhr.send(new FormData(form));
      });
    });
  });
})();
