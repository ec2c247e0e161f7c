/**
 * A code editor (Monaco), bundled with the app: `loader.config({ monaco })` hands the local
 * copy to @monaco-editor/react so nothing is fetched from a CDN. Import this module only from
 * lazily loaded pages — Monaco is several MB and must stay out of the shell's bundle.
 */
import Editor, { loader, type OnMount } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { useEffect, useRef } from 'react';
import { useUiStore } from '../state/ui';

// Only the core editor worker: the console edits SQL and YAML, which have no language
// service worker; any other label falls back to the core one rather than a network fetch.
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

interface CodeEditorProps {
  readonly value: string;
  readonly onChange?: (value: string) => void;
  /** Monaco language id: `sql`, `yaml`, `json`, ... */
  readonly language: string;
  /** Accessible name of the editor's text area. */
  readonly label: string;
  readonly readOnly?: boolean;
  readonly height?: string | number;
  /** Called on Ctrl/Cmd+Enter with the current text (e.g. run a query). */
  readonly onSubmit?: (value: string) => void;
}

export function CodeEditor({ value, onChange, language, label, readOnly = false, height = 240, onSubmit }: CodeEditorProps) {
  const theme = useUiStore((s) => s.theme);
  // The latest callback, read when the key binding fires (the binding is made once on mount).
  const submit = useRef(onSubmit);
  useEffect(() => {
    submit.current = onSubmit;
  }, [onSubmit]);
  const onMount: OnMount = (editor, m) => {
    editor.addCommand(m.KeyMod.CtrlCmd | m.KeyCode.Enter, () => submit.current?.(editor.getValue()));
  };
  return (
    <div className="overflow-hidden rounded-md border border-line" data-testid="code-editor">
      <Editor
        value={value}
        language={language}
        theme={theme === 'dark' ? 'vs-dark' : 'vs'}
        height={height}
        onChange={(v) => onChange?.(v ?? '')}
        onMount={onMount}
        loading={<p className="p-3 text-sm text-fg-muted">Loading editor…</p>}
        options={{
          ariaLabel: label,
          readOnly,
          minimap: { enabled: false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: 2,
          wordWrap: 'on',
        }}
      />
    </div>
  );
}
