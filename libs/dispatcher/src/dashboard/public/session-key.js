// The API key of this browser tab: asked for when the dispatcher answers 401, kept in
// sessionStorage (gone when the tab closes), sent as "Authorization: Bearer <key>".
/* global sessionStorage */
/* exported sessionKey */
'use strict';

const sessionKey = (() => {
  const STORAGE = 'switchyard.apiKey';
  const listeners = [];
  const form = document.querySelector('#key-form');
  const input = document.querySelector('#key-input');
  const note = document.querySelector('#key-note');

  function read() {
    try {
      return sessionStorage.getItem(STORAGE) || '';
    } catch {
      return '';
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    try {
      sessionStorage.setItem(STORAGE, key);
    } catch {
      note.textContent = 'this browser keeps no session storage: the key cannot be kept';
      return;
    }
    input.value = '';
    form.hidden = true;
    for (const listener of listeners) listener();
  });

  return {
    /** Headers carrying the key, or none before one is given. */
    headers() {
      const key = read();
      return key ? { authorization: `Bearer ${key}` } : {};
    },
    /** A 401: forget a refused key and ask for one (once, however many requests were refused). */
    refused() {
      if (read() !== '') {
        try {
          sessionStorage.removeItem(STORAGE);
        } catch {
          /* nothing kept */
        }
        note.textContent = 'that key was refused';
      } else if (form.hidden) {
        note.textContent = 'this dispatcher needs an API key';
      }
      if (form.hidden) {
        form.hidden = false;
        input.focus();
      }
    },
    /** Called after a new key is given. */
    onChange(listener) {
      listeners.push(listener);
    },
  };
})();
