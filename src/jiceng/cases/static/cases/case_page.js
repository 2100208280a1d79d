// The photo viewer of the case page: a thumbnail opens the photo large, with previous / next.
// Without script each thumbnail is a plain link to the photo.
(() => {
  const dialog = document.getElementById("viewer");
  if (!dialog || !dialog.showModal) return;
  const links = Array.from(document.querySelectorAll("a[data-viewer]"));
  const img = dialog.querySelector("img");
  const caption = dialog.querySelector("p");
  let current = 0;
  const show = (i) => {
    current = (i + links.length) % links.length;
    img.src = links[current].href;
    img.alt = caption.textContent = links[current].title;
  };
  links.forEach((link, i) => link.addEventListener("click", (event) => {
    event.preventDefault();
    show(i);
    dialog.showModal();
  }));
  dialog.querySelectorAll("[data-step]").forEach((b) => b.addEventListener("click", () => show(current + Number(b.dataset.step))));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") show(current + 1);
    if (event.key === "ArrowLeft") show(current - 1);
  });
})();
