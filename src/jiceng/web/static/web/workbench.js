// "Select all on this page" for the workbench's bulk 签收 / 销号.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  all.form.querySelectorAll('input[name="numbers"]').forEach((box) => { box.checked = all.checked; });
});
