import { Button, MessageStrip } from '@openkcm/ui-kit';
import { Component, type ReactNode } from 'react';

/** A failing screen shows what failed and a way back, instead of blanking the Console's tab. */
export class ErrorBoundary extends Component<
  { children: ReactNode; resetKey: string },
  { error?: Error; resetKey: string }
> {
  override state: { error?: Error; resetKey: string } = { resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { resetKey: string; error?: Error }) {
    return props.resetKey === state.resetKey ? null : { resetKey: props.resetKey, error: undefined };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <MessageStrip design="Negative" hideCloseButton role="alert">
        This view failed: {this.state.error.message}{' '}
        <Button design="Transparent" onClick={() => this.setState({ error: undefined })}>
          Try again
        </Button>
      </MessageStrip>
    );
  }
}
