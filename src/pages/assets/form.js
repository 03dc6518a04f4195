// The reference form, improved when JavaScript runs (it works without): the browser's checks shown the
// page's way (an error summary at the top, each message beside its field, tied by aria-describedby),
// the organisation number's check digit, one submission per load, and a live routing preview.
(function () {
  'use strict';
  var form = document.getElementById('inquiry-form');
  if (!form) return;
  form.noValidate = true;
  var submitting = false;

  function luhnOk(value) {
    var digits = value.replace(/[\s-]/g, '');
    if (!/^(\d{10}|\d{12})$/.test(digits)) return false;
    digits = digits.slice(-10);
    var sum = 0;
    for (var i = 0; i < 10; i++) {
      var d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
      sum += d > 9 ? d - 9 : d;
    }
    return sum % 10 === 0;
  }

  function controls() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== 'hidden' && el.type !== 'submit' && el.name !== 'website';
    });
  }

  function problemOf(el) {
    var value = typeof el.value === 'string' ? el.value : '';
    if (el.type === 'checkbox') return el.required && !el.checked ? 'required' : null;
    if (el.required && value.trim() === '') return 'required';
    if (value.trim() === '') return null;
    if (el.validity.tooLong || (el.maxLength > 0 && value.length > el.maxLength)) return 'tooLong';
    if (!el.checkValidity()) return 'invalid';
    if (el.dataset.check === 'org-number' && !luhnOk(value.trim())) return 'invalid';
    return null;
  }

  function fieldOf(el) { return el.closest('.field'); }

  function clearError(el) {
    var field = fieldOf(el);
    var old = document.getElementById(el.id + '-error');
    if (old) old.remove();
    if (field) field.classList.remove('has-error');
    el.removeAttribute('aria-invalid');
    var ids = (el.getAttribute('aria-describedby') || '').split(' ').filter(function (id) { return id && id !== el.id + '-error'; });
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' ')); else el.removeAttribute('aria-describedby');
  }

  function showError(el, message) {
    clearError(el);
    var field = fieldOf(el);
    var span = document.createElement('span');
    span.className = 'error-message';
    span.id = el.id + '-error';
    var prefix = document.createElement('span');
    prefix.className = 'visually-hidden';
    prefix.textContent = form.dataset.errorPrefix || '';
    span.appendChild(prefix);
    span.appendChild(document.createTextNode(message));
    var anchor = el.type === 'checkbox' ? el.closest('.choice') : el;
    anchor.parentNode.insertBefore(span, anchor);
    if (field) field.classList.add('has-error');
    el.setAttribute('aria-invalid', 'true');
    var ids = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    ids.push(span.id);
    el.setAttribute('aria-describedby', ids.join(' '));
  }

  function showSummary(errors) {
    var old = document.getElementById('error-summary');
    if (old) old.remove();
    if (!errors.length) return;
    var box = document.createElement('div');
    box.className = 'error-summary';
    box.id = 'error-summary';
    box.setAttribute('role', 'alert');
    box.setAttribute('tabindex', '-1');
    box.setAttribute('aria-labelledby', 'error-summary-title');
    var h = document.createElement('h2');
    h.id = 'error-summary-title';
    h.textContent = form.dataset.summaryTitle || '';
    var ul = document.createElement('ul');
    errors.forEach(function (e) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '#' + e.el.id;
      a.textContent = e.message;
      a.addEventListener('click', function (ev) { ev.preventDefault(); e.el.focus(); });
      li.appendChild(a);
      ul.appendChild(li);
    });
    box.appendChild(h);
    box.appendChild(ul);
    var heading = form.parentNode.querySelector('h1');
    heading.parentNode.insertBefore(box, heading);
    box.focus();
  }

  form.addEventListener('submit', function (event) {
    if (submitting) { event.preventDefault(); return; }
    var errors = [];
    controls().forEach(function (el) {
      var problem = problemOf(el);
      if (!problem) { clearError(el); return; }
      var message = el.dataset[problem === 'tooLong' ? 'errorTooLong' : problem === 'required' ? 'errorRequired' : 'errorInvalid'];
      showError(el, message);
      errors.push({ el: el, message: message });
    });
    if (errors.length) {
      event.preventDefault();
      showSummary(errors);
      document.title = (form.dataset.errorPrefix || '') + document.title.replace(form.dataset.errorPrefix || '\u0000', '');
      return;
    }
    // One inquiry per load: the idempotency key already makes a second post harmless; this spares the wait.
    submitting = true;
    var button = form.querySelector('button[type=submit]');
    if (button) button.setAttribute('disabled', '');
  });
  window.addEventListener('pageshow', function () {
    submitting = false;
    var button = form.querySelector('button[type=submit]');
    if (button) button.removeAttribute('disabled');
  });

  // Live routing preview: where the question will probably go, from POST /v1/routing/preview.
  var box = document.getElementById('routing-preview');
  var message = form.elements.namedItem('message');
  if (!box || !message || !window.fetch) return;
  var timer = null;
  var last = '';
  var d = box.dataset;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] || ''; });
  }
  function list(names) {
    if (names.length < 2) return names.join('');
    return names.slice(0, -1).join(', ') + ' ' + d.and + ' ' + names[names.length - 1];
  }
  function valueOf(name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === 'string' ? el.value.trim() : '';
  }
  function preview() {
    var text = valueOf('message');
    if (text.length < 15) { box.hidden = true; return; }
    var body = { message: text.slice(0, 5000) };
    var subject = valueOf('subject');
    if (subject) body.subject = subject.slice(0, 200);
    var county = valueOf('county');
    if (county) body.county = county;
    var municipality = valueOf('municipality');
    if (municipality) body.municipality = municipality;
    var employees = valueOf('company.employees');
    if (/^\d{1,7}$/.test(employees)) body.company = { employees: Number(employees) };
    var key = JSON.stringify(body);
    if (key === last) return;
    last = key;
    fetch(form.dataset.previewUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: key, credentials: 'omit' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (p) {
        if (!p || key !== last) return;
        var sentence;
        if (p.assignedActor && !p.triage) {
          sentence = fill(d.assigned, { actor: p.assignedActor.name });
          var others = (p.alternatives || []).map(function (a) { return a.name; });
          if (others.length) sentence += fill(d.alternatives, { actors: list(others) });
        } else {
          sentence = fill(d.triage, { county: p.county ? fill(d.countyIn, { county: p.county.name }) : '' });
        }
        box.querySelector('p').textContent = sentence + '.';
        box.hidden = false;
      })
      .catch(function () { /* the preview is a help, never a condition: stay quiet */ });
  }
  // At most one preview every four seconds: previews and the form's own post share the anonymous write limit
  // (RATE_LIMIT_ANONYMOUS_PER_MINUTE), and however long the company types, sending must never be refused.
  var sentAt = 0;
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(function () { sentAt = Date.now(); preview(); }, Math.max(delay, 4000 - (Date.now() - sentAt)));
  }
  form.addEventListener('input', function (event) {
    var name = event.target && event.target.name;
    if (name !== 'message' && name !== 'subject' && name !== 'company.employees') return;
    schedule(700);
  });
  form.addEventListener('change', function (event) {
    if (event.target && event.target.name === 'municipality') schedule(0);
  });
  if (valueOf('message')) schedule(0);
})();
