// The print view shows every fold open: exercise solutions, predicted
// outputs, the rest of long outputs. A reader printing one page gets the
// same, through beforeprint.
(function () {
    function openAll() {
        document.querySelectorAll("details").forEach(function (d) {
            d.open = true;
        });
    }
    window.addEventListener("beforeprint", openAll);
    if (/\/print\.html$/.test(window.location.pathname)) {
        openAll();
    }
})();
