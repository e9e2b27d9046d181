namespace Reconnect.Workflows.Web.Components.Designer;

/// <summary>
/// Undo and redo as whole snapshots of the definition (its Elsa JSON), not as inverse commands: restoring a snapshot
/// cannot get a deleted node's links, ports or unknown fields wrong, and every kind of change (canvas, properties,
/// variables) is covered by the same code. A record equal to the current snapshot is no change and is dropped;
/// consecutive records with the same key (keystrokes in one field, arrow presses on one node) are merged into one step.
/// </summary>
public sealed class DesignerHistory(string initial, int limit = 100)
{
    private readonly List<string> _states = [initial];
    private int _index;
    private string? _lastKey;
    private string _saved = initial;

    public string Current => _states[_index];
    public bool CanUndo => _index > 0;
    public bool CanRedo => _index < _states.Count - 1;

    /// <summary>The current state differs from the one last saved (or loaded).</summary>
    public bool IsDirty => !string.Equals(Current, _saved, StringComparison.Ordinal);

    /// <summary>How many steps can be undone.</summary>
    public int UndoSteps => _index;

    /// <summary>Records a state after a change. Returns false when it is the current one (nothing changed).</summary>
    public bool Record(string state, string? key = null)
    {
        if (string.Equals(state, Current, StringComparison.Ordinal)) return false;
        if (_index < _states.Count - 1) _states.RemoveRange(_index + 1, _states.Count - _index - 1);
        if (key is not null && key == _lastKey && _index > 0) _states[_index] = state;
        else
        {
            _states.Add(state);
            _index++;
            if (_states.Count > limit)
            {
                _states.RemoveAt(0);
                _index--;
            }
        }
        _lastKey = key;
        return true;
    }

    public string Undo()
    {
        if (!CanUndo) throw new InvalidOperationException("Nothing to undo.");
        _lastKey = null;
        return _states[--_index];
    }

    public string Redo()
    {
        if (!CanRedo) throw new InvalidOperationException("Nothing to redo.");
        _lastKey = null;
        return _states[++_index];
    }

    /// <summary>The current state is what is stored now.</summary>
    public void MarkSaved()
    {
        _saved = Current;
        _lastKey = null;
    }
}
